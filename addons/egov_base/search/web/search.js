/* The search page (智能检索): the words, suggestions as one types, hot words
 * of one's unit, one's history, filters, sorting and paging over
 * egov.search, called through /<database>/rpc/ with the web client's session
 * cookie: every call runs as the user, so nothing shown is drawn from a
 * record they may not open. Everything is shown as text, except the
 * snippet's <mark> highlights. */
(function () {
    'use strict';

    const PAGE_SIZE = 20;
    const SUGGESTIONS = 8;
    const DEBOUNCE = 250;
    const MAX_QUERY = 200;
    const FILTERS = ['module', 'kind', 'unit', 'date_from', 'date_to',
        'secrecy'];
    const PHONE = window.matchMedia('(max-width: 767px)');

    // The page's words (msg_search_page_<name>), in the user's language
    const MESSAGES = (function () {
        const block = document.getElementById('egov-text');
        try {
            return Object.assign(Object.create(null),
                JSON.parse(block.textContent).messages);
        } catch (error) {
            return Object.create(null);
        }
    }());

    function t(name, values) {
        const text = MESSAGES[name] === undefined ? name : MESSAGES[name];
        return String(text).replace(/{([a-z_]+)}/g, function (match, key) {
            return values && values[key] !== undefined
                ? String(values[key]) : match;
        });
    }

    const body = document.body;
    const database = body.dataset.database;
    const $ = function (id) {
        return document.getElementById(id);
    };

    // JSON-RPC as the web client calls it, with its session cookie
    class RPCError extends Error {
        constructor(kind, message) {
            super(message);
            this.kind = kind;
        }
    }
    let sequence = 0;
    let context = null;

    async function call(method, params) {
        let response;
        try {
            response = await fetch('/' + encodeURIComponent(database)
                + '/rpc/', {
                method: 'POST',
                credentials: 'same-origin',
                headers: {'Content-Type': 'application/json',
                    'Accept': 'application/json'},
                body: JSON.stringify({
                    id: ++sequence, method: method, params: params}),
            });
        } catch (error) {
            throw new RPCError('network', t('network'));
        }
        if (response.status === 401) {
            throw new RPCError('401', t('login_expired'));
        }
        if (response.status === 403) {
            throw new RPCError('403', t('forbidden'));
        }
        if (!response.ok) {
            throw new RPCError(String(response.status), t('server_error'));
        }
        const data = await response.json();
        if (data.error) {
            const kind = String(data.error[0]);
            const args = data.error[1];
            if (['UserError', 'AccessError', 'UserWarning'].includes(kind)) {
                let text = Array.isArray(args)
                    ? args[kind === 'UserWarning' ? 1 : 0] : args;
                if (Array.isArray(args) && args[kind === 'UserWarning'
                        ? 2 : 1]) {
                    text += '\n' + args[kind === 'UserWarning' ? 2 : 1];
                }
                throw new RPCError(kind, String(text || t('server_error')));
            }
            if (kind.startsWith('401')) {
                throw new RPCError('401', t('login_expired'));
            }
            console.error('RPC', method, data.error);
            throw new RPCError(kind, t('server_error'));
        }
        return data.result;
    }

    async function model(name, method, ...args) {
        if (!context) {
            context = await call('model.res.user.get_preferences',
                [true, {}]);
        }
        return call('model.' + name + '.' + method, [...args, context]);
    }

    const search = function (method, ...args) {
        return model('egov.search', method, ...args);
    };

    function element(tag, className, text) {
        const node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        return node;
    }

    // A notice under the bar; an expired login links to the web client
    function notice(text, kind) {
        const area = $('notice');
        area.replaceChildren();
        area.hidden = !text;
        if (!text) {
            return;
        }
        const box = element('div', 'search-notice search-notice-'
            + (kind || 'info'));
        box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
        String(text).split('\n').forEach(function (line, index) {
            if (index) {
                box.appendChild(document.createElement('br'));
            }
            box.appendChild(document.createTextNode(line));
        });
        if (kind === 'login') {
            const link = element('a', null, t('to_login'));
            link.href = body.dataset.client;
            box.append(' ', link);
        }
        const close = element('button', 'search-notice-close', '×');
        close.type = 'button';
        close.title = t('close');
        close.setAttribute('aria-label', t('close'));
        close.addEventListener('click', function () {
            notice(null);
        });
        box.appendChild(close);
        area.appendChild(box);
    }

    function showError(error) {
        if (error instanceof RPCError) {
            notice(error.message, error.kind === '401' ? 'login' : 'error');
        } else {
            console.error(error);
            notice(t('server_error'), 'error');
        }
    }

    // The snippet: text the server escaped, with <mark>…</mark> around the
    // matches; built as text nodes and mark elements, so nothing else in
    // it can ever become markup
    const ENTITIES = new DOMParser();

    function unescape(text) {
        if (!text.includes('&')) {
            return text;
        }
        return ENTITIES.parseFromString('<p>' + text.replace(/</g, '&lt;')
            + '</p>', 'text/html').body.textContent;
    }

    function snippet(text) {
        const fragment = document.createDocumentFragment();
        let mark = null;
        String(text || '').split(/(<mark>|<\/mark>)/).forEach(
            function (part) {
                if (part === '<mark>') {
                    mark = element('mark');
                    fragment.appendChild(mark);
                } else if (part === '</mark>') {
                    mark = null;
                } else if (part) {
                    (mark || fragment).appendChild(
                        document.createTextNode(unescape(part)));
                }
            });
        return fragment;
    }

    // Where a result opens: the web client's address the server gives
    // (#db/model/…) or a page of the platform (/…), nothing else
    function resultHref(result) {
        const url = String(result.url || '');
        if (url.startsWith('#')) {
            return '/' + url;
        }
        if (url.startsWith('/') && !url.startsWith('//')) {
            return url;
        }
        return '/#' + encodeURIComponent(database) + '/model/'
            + encodeURIComponent(result.model) + '/' + Number(result.id);
    }

    // A list of choices under an input, as one types (debounced), with the
    // arrow keys, Enter and Escape
    class Combo {
        constructor(input, list, source, pick) {
            this.input = input;
            this.list = list;
            this.source = source;
            this.pick = pick;
            this.items = [];
            this.active = -1;
            this.timer = null;
            this.asked = 0;
            input.addEventListener('input', () => this.schedule());
            input.addEventListener('keydown', (event) => this.key(event));
            input.addEventListener('blur', () => {
                // after a click on an item
                window.setTimeout(() => this.close(), 150);
            });
        }

        schedule() {
            window.clearTimeout(this.timer);
            const text = this.input.value.trim();
            if (!text) {
                this.close();
                return;
            }
            this.timer = window.setTimeout(() => this.fill(text), DEBOUNCE);
        }

        async fill(text) {
            const asked = ++this.asked;
            let items;
            try {
                items = await this.source(text);
            } catch (error) {
                items = [];
            }
            // An answer to older words, or the input changed meanwhile
            if (asked !== this.asked || text !== this.input.value.trim()) {
                return;
            }
            this.show(items);
        }

        show(items) {
            this.items = items.slice(0, SUGGESTIONS);
            this.active = -1;
            this.list.replaceChildren();
            this.items.forEach((item, index) => {
                const option = element('li', 'search-suggestion', item.label);
                option.id = this.list.id + '-' + index;
                option.setAttribute('role', 'option');
                option.addEventListener('mousedown', (event) => {
                    event.preventDefault();
                    this.choose(index);
                });
                this.list.appendChild(option);
            });
            const open = this.items.length > 0;
            this.list.hidden = !open;
            this.input.setAttribute('aria-expanded', String(open));
        }

        close() {
            window.clearTimeout(this.timer);
            this.asked++;
            this.list.hidden = true;
            this.input.setAttribute('aria-expanded', 'false');
            this.input.removeAttribute('aria-activedescendant');
            this.active = -1;
        }

        choose(index) {
            const item = this.items[index];
            this.close();
            if (item) {
                this.pick(item);
            }
        }

        move(step) {
            if (this.list.hidden || !this.items.length) {
                return;
            }
            const count = this.items.length;
            this.active = (this.active + step + count + 1) % (count + 1) - 1;
            Array.from(this.list.children).forEach((node, index) => {
                node.setAttribute('aria-selected',
                    String(index === this.active));
            });
            if (this.active >= 0) {
                this.input.setAttribute('aria-activedescendant',
                    this.list.id + '-' + this.active);
            } else {
                this.input.removeAttribute('aria-activedescendant');
            }
        }

        key(event) {
            if (event.key === 'ArrowDown') {
                event.preventDefault();
                this.move(1);
            } else if (event.key === 'ArrowUp') {
                event.preventDefault();
                this.move(-1);
            } else if (event.key === 'Escape') {
                this.close();
            } else if (event.key === 'Enter') {
                if (!this.list.hidden && this.active >= 0) {
                    event.preventDefault();
                    this.choose(this.active);
                } else {
                    this.close();
                }
            }
        }
    }

    // What is searched: the address holds it, so that back, reload and a
    // link (the web client's search box) give the same page
    const state = {text: '', order: 'relevance', page: 1, filters: {},
        unitName: ''};

    function readAddress() {
        const params = new URLSearchParams(window.location.search);
        state.text = (params.get('q') || '').slice(0, MAX_QUERY);
        state.order = params.get('order') === 'date' ? 'date' : 'relevance';
        state.page = Math.max(1, parseInt(params.get('page'), 10) || 1);
        state.filters = {};
        FILTERS.forEach(function (name) {
            const value = params.get(name);
            if (value) {
                state.filters[name] = value;
            }
        });
        state.unitName = params.get('unit_name') || '';
    }

    function writeAddress(push) {
        const params = new URLSearchParams();
        if (state.text) {
            params.set('q', state.text);
        }
        FILTERS.forEach(function (name) {
            if (state.filters[name]) {
                params.set(name, state.filters[name]);
            }
        });
        if (state.filters.unit && state.unitName) {
            params.set('unit_name', state.unitName);
        }
        if (state.order !== 'relevance') {
            params.set('order', state.order);
        }
        if (state.page > 1) {
            params.set('page', String(state.page));
        }
        const query = params.toString();
        const url = window.location.pathname + (query ? '?' + query : '');
        if (url !== window.location.pathname + window.location.search) {
            window.history[push ? 'pushState' : 'replaceState'](
                null, '', url);
        }
    }

    // The form shows the state
    function showState() {
        $('query').value = state.text;
        ['module', 'kind', 'secrecy', 'date_from', 'date_to'].forEach(
            function (name) {
                const field = document.querySelector(
                    '[data-filter="' + name + '"]');
                if (field.tagName === 'SELECT' && state.filters[name]
                        && !Array.from(field.options).some(
                            (o) => o.value === state.filters[name])) {
                    // not one the server offers (any more): not applied
                    delete state.filters[name];
                }
                field.value = state.filters[name] || '';
            });
        $('filter-unit').value = state.filters.unit ? state.unitName : '';
        document.querySelectorAll('.search-sort [data-order]').forEach(
            function (button) {
                button.setAttribute('aria-checked',
                    String(button.dataset.order === state.order));
            });
        const active = FILTERS.filter((name) => state.filters[name]).length;
        $('filters-summary').textContent = active
            ? t('filters_count', {count: active}) : t('filters');
    }

    function filtersParam() {
        const filters = {};
        FILTERS.forEach(function (name) {
            if (state.filters[name]) {
                filters[name] = name === 'unit'
                    ? Number(state.filters[name]) : state.filters[name];
            }
        });
        return filters;
    }

    let running = 0;

    async function run(push) {
        writeAddress(push);
        showState();
        const results = $('results');
        const empty = $('empty');
        const message = $('message');
        if (!state.text.trim()) {
            results.replaceChildren();
            $('count').textContent = '';
            $('pager').hidden = true;
            message.hidden = true;
            empty.replaceChildren(element('p', null, t('start')));
            empty.hidden = false;
            body.dataset.state = 'start';
            return;
        }
        const from = state.filters.date_from;
        const to = state.filters.date_to;
        if (from && to && from > to) {
            notice(t('date_invalid'), 'error');
            return;
        }
        const asked = ++running;
        body.dataset.state = 'loading';
        $('count').textContent = t('loading');
        let answer;
        try {
            answer = await search('query', state.text, filtersParam(),
                state.order, (state.page - 1) * PAGE_SIZE, PAGE_SIZE);
        } catch (error) {
            if (asked === running) {
                $('count').textContent = '';
                body.dataset.state = 'error';
                showError(error);
            }
            return;
        }
        if (asked !== running) {
            return;
        }
        notice(null);
        showAnswer(answer);
        loadWords();
    }

    function showAnswer(answer) {
        const results = $('results');
        const empty = $('empty');
        const message = $('message');
        const count = Number(answer.count) || 0;
        const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
        // With no result, the server's explanation is the empty state
        message.textContent = count ? answer.message || '' : '';
        message.hidden = !(count && answer.message);
        // Above the server's bound the count is a lower bound (约…条以上)
        $('count').textContent = (answer.count_exact === false
            ? t('count_more', {count: count.toLocaleString('en-US')})
            : t('count', {count: count}))
            + (answer.took_ms !== undefined && answer.took_ms !== null
                ? t('took', {ms: Math.round(Number(answer.took_ms))}) : '');
        results.replaceChildren();
        (answer.results || []).forEach(function (result) {
            results.appendChild(resultItem(result));
        });
        empty.replaceChildren();
        if (!count && answer.message) {
            empty.append(element('p', null, answer.message));
        } else if (!count) {
            empty.append(
                element('p', null, t('no_result', {text: state.text})),
                element('p', 'search-hint', t('no_result_hint')));
        }
        empty.hidden = count > 0;
        $('pager').hidden = pages <= 1;
        $('page').textContent = t('page', {page: state.page, pages: pages});
        $('previous').disabled = state.page <= 1;
        $('next').disabled = state.page >= pages;
        body.dataset.state = count ? 'results' : 'empty';
    }

    function resultItem(result) {
        const item = element('li', 'search-result');
        const title = element('a', 'search-title', result.title);
        title.href = resultHref(result);
        title.title = t('open');
        const heading = element('h3');
        heading.appendChild(title);
        item.appendChild(heading);
        const meta = element('p', 'search-meta');
        [result.kind, result.unit, result.date].forEach(function (value) {
            if (value) {
                meta.appendChild(element('span', null, value));
            }
        });
        if (result.secrecy) {
            meta.appendChild(element('span', 'search-secrecy',
                result.secrecy));
        }
        item.appendChild(meta);
        if (result.snippet) {
            const text = element('p', 'search-snippet');
            text.appendChild(snippet(result.snippet));
            item.appendChild(text);
        }
        return item;
    }

    // Hot words and history: a chip runs its words
    function chip(text, onClick) {
        const node = element('li', 'search-chip');
        const button = element('button', 'search-chip-text', text);
        button.type = 'button';
        button.addEventListener('click', onClick);
        node.appendChild(button);
        return node;
    }

    function searchFor(text) {
        state.text = String(text).slice(0, MAX_QUERY);
        state.page = 1;
        run(true);
    }

    async function loadWords() {
        let hot, history;
        try {
            [hot, history] = await Promise.all([
                search('hot_words', 10), search('history', 20)]);
        } catch (error) {
            showError(error);
            return;
        }
        const hotList = $('hot-list');
        hotList.replaceChildren();
        (hot || []).forEach(function (word) {
            const node = chip(word.word, () => searchFor(word.word));
            node.title = t('hot_count', {count: word.count});
            hotList.appendChild(node);
        });
        $('hot').hidden = !(hot && hot.length);
        showHistory(history || []);
    }

    function showHistory(history) {
        const list = $('history-list');
        list.replaceChildren();
        history.forEach(function (entry) {
            const node = chip(entry.text, () => searchFor(entry.text));
            node.classList.add('search-history-item');
            const remove = element('button', 'search-chip-remove', '×');
            remove.type = 'button';
            remove.title = t('history_remove', {text: entry.text});
            remove.setAttribute('aria-label', remove.title);
            remove.addEventListener('click', () => clearHistory([entry.id]));
            node.appendChild(remove);
            list.appendChild(node);
        });
        $('history').hidden = !history.length;
    }

    async function clearHistory(ids) {
        try {
            await search('clear_history', ids);
            showHistory(await search('history', 20));
        } catch (error) {
            showError(error);
            return;
        }
        if (!ids) {
            notice(t('history_cleared'), 'success');
        }
    }

    async function loadFilters() {
        const choices = await search('filters');
        [['filter-module', choices.modules], ['filter-kind', choices.kinds],
            ['filter-secrecy', choices.secrecy]].forEach(function (pair) {
            const select = $(pair[0]);
            (pair[1] || []).forEach(function (choice) {
                const option = element('option', null, choice[1]);
                option.value = choice[0];
                select.appendChild(option);
            });
        });
    }

    function units(text) {
        return model('egov.org.unit', 'search_read',
            [['rec_name', 'ilike', '%' + text + '%']], 0, SUGGESTIONS,
            null, ['rec_name']).then(function (records) {
            return records.map((r) => ({label: r.rec_name, value: r.id}));
        });
    }

    function bind() {
        const query = $('query');
        const combo = new Combo(query, $('suggestions'),
            function (text) {
                return search('suggest', text.slice(0, MAX_QUERY),
                    SUGGESTIONS).then(
                    (words) => words.map((w) => ({label: w, value: w})));
            },
            (item) => searchFor(item.value));
        $('form').addEventListener('submit', function (event) {
            event.preventDefault();
            combo.close();
            searchFor(query.value.trim());
        });
        // The browser's × of a search input empties it
        query.addEventListener('search', function () {
            if (!query.value) {
                searchFor('');
            }
        });

        document.querySelectorAll('[data-filter]').forEach(function (field) {
            field.addEventListener('change', function () {
                state.filters[field.dataset.filter] = field.value;
                state.page = 1;
                run(true);
            });
        });
        const unit = $('filter-unit');
        new Combo(unit, $('unit-list'), units, function (item) {
            unit.value = item.label;
            state.filters.unit = String(item.value);
            state.unitName = item.label;
            state.page = 1;
            run(true);
        });
        unit.addEventListener('input', function () {
            if (!unit.value && state.filters.unit) {
                delete state.filters.unit;
                state.unitName = '';
                state.page = 1;
                run(true);
            }
        });
        $('filters-reset').addEventListener('click', function () {
            state.filters = {};
            state.unitName = '';
            state.page = 1;
            run(true);
        });
        document.querySelectorAll('.search-sort [data-order]').forEach(
            function (button) {
                button.addEventListener('click', function () {
                    state.order = button.dataset.order;
                    state.page = 1;
                    run(true);
                });
            });
        $('previous').addEventListener('click', function () {
            state.page = Math.max(1, state.page - 1);
            run(true);
            window.scrollTo(0, 0);
        });
        $('next').addEventListener('click', function () {
            state.page += 1;
            run(true);
            window.scrollTo(0, 0);
        });
        $('history-clear').addEventListener('click', () => clearHistory(null));
        window.addEventListener('popstate', function () {
            readAddress();
            run(false);
        });
        // The filters fold away on the phone
        const fold = () => {
            $('filters').open = !PHONE.matches;
        };
        PHONE.addEventListener('change', fold);
        fold();
    }

    async function start() {
        bind();
        readAddress();
        try {
            await loadFilters();
        } catch (error) {
            showError(error);
        }
        await run(false);
        if (!state.text) {
            await loadWords();
        }
        if (!state.text) {
            $('query').focus();
        }
        body.dataset.ready = '1';
    }

    start();
}());
