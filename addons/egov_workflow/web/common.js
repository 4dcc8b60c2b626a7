/* The workflow pages' common part: JSON-RPC with the web client's session
 * cookie (every call runs as the user, with their rights), Tryton's JSON
 * values, and the notices shown to the user. */
(function (global) {
    'use strict';

    // The page's words, in the user's language: the server writes the
    // Tryton messages of the page (msg_page_…) into it as a JSON data block
    const WORDS = (function () {
        const block = document.getElementById('egov-text');
        try {
            return JSON.parse(block ? block.textContent : '{}');
        } catch (error) {
            console.error('egov-text', error);
            return {};
        }
    }());
    // (objects without prototype: "constructor" is no message)
    const MESSAGES = Object.assign(Object.create(null), WORDS.messages);
    // The libraries' own English strings (bpmn-js, form-js), translated
    const TRANSLATIONS = Object.assign(Object.create(null),
        WORDS.translations);
    // Names of messages a script asked for that the page lacks
    const missingTexts = new Set();
    global.egovMissingTexts = missingTexts;

    // "{name}" in text replaced by values.name
    function format(text, values) {
        return String(text).replace(/{([A-Za-z_][A-Za-z0-9_]*)}/g,
            function (match, key) {
                return values && values[key] !== undefined
                    && values[key] !== null ? String(values[key]) : match;
            });
    }

    // The message msg_page_<name>, with its {placeholders} filled from
    // values when given
    function t(name, values) {
        let text = MESSAGES[name];
        if (text === undefined) {
            missingTexts.add(name);
            console.warn('no message msg_page_' + name);
            text = name;
        }
        return values ? format(text, values) : text;
    }

    // The same structure with each message name replaced by its text
    function texts(spec) {
        if (typeof spec === 'string') {
            return t(spec);
        }
        if (Array.isArray(spec)) {
            return spec.map(texts);
        }
        if (spec && typeof spec === 'object') {
            const result = {};
            Object.keys(spec).forEach(function (key) {
                result[key] = texts(spec[key]);
            });
            return result;
        }
        return spec;
    }

    const TEXT = texts({
        loginExpired: 'common_login_expired',
        toLogin: 'common_to_login',
        forbidden: 'common_forbidden',
        serverError: 'common_server_error',
        network: 'common_network',
        close: 'common_close',
        concurrent: 'common_concurrent',
    });

    const body = document.body;
    const database = body.dataset.database;
    const recordId = Number(body.dataset.record);
    let context = null;
    let sequence = 0;

    class RPCError extends Error {
        constructor(kind, message, description, warning) {
            super(message);
            this.kind = kind;
            this.description = description || '';
            // A UserWarning's name, to skip it once confirmed
            this.warning = warning || '';
        }
    }

    // Tryton's JSON classes to JavaScript values
    function reviver(key, value) {
        if (!value || typeof value !== 'object' || !value.__class__) {
            return value;
        }
        switch (value.__class__) {
            case 'datetime':
                // The server sends UTC
                return new Date(Date.UTC(value.year, value.month - 1,
                    value.day, value.hour || 0, value.minute || 0,
                    value.second || 0,
                    Math.floor((value.microsecond || 0) / 1000)));
            case 'date':
                return new Date(value.year, value.month - 1, value.day);
            case 'bytes':
                return {base64: value.base64};
            case 'Decimal':
                return Number(value.decimal);
            case 'timedelta':
                return value.seconds;
            default:
                return value;
        }
    }

    function bytes(base64) {
        return {__class__: 'bytes', base64: base64};
    }

    function loginUrl() {
        return body.dataset.client || '/';
    }

    function loginExpired() {
        notice(TEXT.loginExpired, 'error', {
            href: loginUrl(), text: TEXT.toLogin});
    }

    async function call(method, params) {
        let response;
        try {
            response = await fetch(
                '/' + encodeURIComponent(database) + '/rpc/', {
                    method: 'POST',
                    credentials: 'same-origin',
                    headers: {
                        'Content-Type': 'application/json',
                        'Accept': 'application/json',
                    },
                    body: JSON.stringify({
                        id: ++sequence, method: method, params: params}),
                });
        } catch (error) {
            throw new RPCError('network', TEXT.network);
        }
        if (response.status === 401) {
            loginExpired();
            throw new RPCError('401', TEXT.loginExpired);
        }
        if (response.status === 403) {
            throw new RPCError('403', TEXT.forbidden);
        }
        if (!response.ok) {
            throw new RPCError(String(response.status), TEXT.serverError);
        }
        const data = JSON.parse(await response.text(), reviver);
        if (data.error) {
            const kind = String(data.error[0]);
            const args = data.error[1];
            if (['UserError', 'UserWarning', 'AccessError',
                    'ConcurrencyException'].includes(kind)) {
                let message = args, description = '';
                if (Array.isArray(args)) {
                    // UserWarning: [name, message, description]
                    const offset = kind === 'UserWarning' ? 1 : 0;
                    message = args[offset];
                    description = args[offset + 1] || '';
                }
                throw new RPCError(kind, String(message || ''),
                    String(description || ''),
                    kind === 'UserWarning' ? String(args[0]) : '');
            }
            if (kind.startsWith('401')) {
                loginExpired();
                throw new RPCError('401', TEXT.loginExpired);
            }
            console.error('RPC', method, data.error);
            throw new RPCError(kind, TEXT.serverError);
        }
        return data.result;
    }

    async function preferences() {
        if (!context) {
            context = await call('model.res.user.get_preferences', [true, {}]);
        }
        return context;
    }

    // model.method(*args, context), as the web client calls it
    async function model(name, method, ...args) {
        const ctx = await preferences();
        return call('model.' + name + '.' + method, [...args, ctx]);
    }

    // write, refused when someone else changed the record since it was
    // read (the web client's check: the _timestamp read with it)
    async function writeChecked(name, id, timestamp, values) {
        const ctx = Object.assign({}, await preferences());
        if (timestamp) {
            ctx._timestamp = {};
            ctx._timestamp[name + ',' + id] = timestamp;
        }
        try {
            await call('model.' + name + '.write', [[id], values, ctx]);
        } catch (error) {
            if (error.kind === 'ConcurrencyException') {
                throw new RPCError(error.kind, TEXT.concurrent);
            }
            throw error;
        }
        const records = await model(name, 'read', [id], ['_timestamp']);
        return records[0]._timestamp;
    }

    function searchRead(name, domain, fields, order, limit, offset) {
        return model(name, 'search_read', domain, offset || 0,
            limit || null, order || null, fields);
    }

    // A notice under the page's bar; kind: info, success, warning, error
    function notice(text, kind, link) {
        const area = document.getElementById('notice');
        if (!area) {
            return;
        }
        area.replaceChildren();
        if (!text) {
            area.hidden = true;
            return;
        }
        const box = document.createElement('div');
        box.className = 'egov-notice egov-notice-' + (kind || 'info');
        box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
        const lines = String(text).split('\n');
        lines.forEach(function (line, index) {
            if (index) {
                box.appendChild(document.createElement('br'));
            }
            box.appendChild(document.createTextNode(line));
        });
        if (link) {
            const a = document.createElement('a');
            a.href = link.href;
            a.textContent = link.text;
            box.appendChild(document.createTextNode(' '));
            box.appendChild(a);
        }
        const close = document.createElement('button');
        close.type = 'button';
        close.className = 'egov-notice-close';
        close.title = TEXT.close;
        close.setAttribute('aria-label', TEXT.close);
        close.textContent = '×';
        close.addEventListener('click', function () {
            notice(null);
        });
        box.appendChild(close);
        area.appendChild(box);
        area.hidden = false;
    }

    function errorText(error) {
        if (error instanceof RPCError) {
            return error.description
                ? error.message + '\n' + error.description : error.message;
        }
        console.error(error);
        return TEXT.serverError;
    }

    function showError(error) {
        if (error instanceof RPCError && error.kind === '401') {
            return;
        }
        notice(errorText(error), 'error');
    }

    function pad(number) {
        return String(number).padStart(2, '0');
    }

    function formatDateTime(date) {
        if (!(date instanceof Date)) {
            return date ? String(date) : '';
        }
        return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-'
            + pad(date.getDate()) + ' ' + pad(date.getHours()) + ':'
            + pad(date.getMinutes());
    }

    function formatDate(date) {
        if (!(date instanceof Date)) {
            return date ? String(date) : '';
        }
        return date.getFullYear() + '-' + pad(date.getMonth() + 1) + '-'
            + pad(date.getDate());
    }

    // An element with its class and text (never HTML)
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

    function loadScript(src) {
        return new Promise(function (resolve, reject) {
            const script = document.createElement('script');
            script.src = src;
            script.onload = resolve;
            script.onerror = function () {
                reject(new Error('cannot load ' + src));
            };
            document.head.appendChild(script);
        });
    }

    // The designers' save: the button, Ctrl+S, and a warning before leaving
    // unsaved changes; a read-only page hides the button
    function bindSave(save, isDirty, unsavedText, readonly) {
        const button = document.getElementById('save');
        if (readonly) {
            button.hidden = true;
            return;
        }
        button.disabled = false;
        button.addEventListener('click', save);
        document.addEventListener('keydown', function (event) {
            if ((event.ctrlKey || event.metaKey) && event.key === 's') {
                event.preventDefault();
                save();
            }
        });
        window.addEventListener('beforeunload', function (event) {
            if (isDirty()) {
                event.preventDefault();
                event.returnValue = unsavedText;
            }
        });
    }

    global.EgovPage = {
        database: database,
        recordId: recordId,
        readonly: body.dataset.readonly || '',
        clientUrl: loginUrl(),
        staticUrl: body.dataset.static,
        RPCError: RPCError,
        bytes: bytes,
        call: call,
        model: model,
        writeChecked: writeChecked,
        preferences: preferences,
        searchRead: searchRead,
        notice: notice,
        errorText: errorText,
        showError: showError,
        formatDate: formatDate,
        formatDateTime: formatDateTime,
        element: element,
        loadScript: loadScript,
        bindSave: bindSave,
        t: t,
        texts: texts,
        format: format,
        translations: TRANSLATIONS,
    };
}(window));
