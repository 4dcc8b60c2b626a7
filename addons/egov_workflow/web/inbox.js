/* The user's to-dos on the phone (我的待办): open to-dos and copies, newest
 * first, a page at a time, each opening the signing page. A page is one
 * call (egov.workflow.task.search_read: one query on the server). */
(function () {
    'use strict';
    const P = EgovPage;
    const E = P.element;
    const PAGE = 20;
    const FIELDS = ['title', 'step_name', 'process_name', 'sender_name',
        'create_date', 'deadline', 'light', 'kind', 'state'];
    const ORDER = [['create_date', 'DESC'], ['id', 'DESC']];
    const TEXT = P.texts({
        empty: {todo: 'inbox_empty_todo', cc: 'inbox_empty_cc'},
        from: 'inbox_from',
        received: 'inbox_received',
        deadline: 'inbox_deadline',
        deadlines: {
            red: 'inbox_deadline_red', yellow: 'inbox_deadline_yellow',
        },
        loadFailed: 'inbox_load_failed',
    });
    const user = Number(document.body.dataset.user);
    const list = document.getElementById('list');
    const empty = document.getElementById('empty');
    const more = document.getElementById('more');
    let kind = 'todo';
    let shown = 0;

    function domain(of) {
        return [['user', '=', user], ['state', '=', 'open'],
            ['kind', '=', of]];
    }

    function signUrl(task) {
        return '/' + encodeURIComponent(P.database) + '/egov/workflow/sign/'
            + task.id;
    }

    function item(task) {
        const li = E('li', 'inbox-item'
            + (task.light ? ' inbox-' + task.light : ''));
        const link = E('a');
        link.href = signUrl(task);
        link.appendChild(E('span', 'inbox-title', task.title || ''));
        const meta = E('span', 'inbox-meta');
        meta.appendChild(E('span', 'inbox-step', task.step_name || ''));
        meta.appendChild(E('span', null, task.process_name || ''));
        if (task.sender_name) {
            meta.appendChild(E('span', null,
                P.format(TEXT.from, {name: task.sender_name})));
        }
        meta.appendChild(E('span', null, P.format(TEXT.received,
            {time: P.formatDateTime(task.create_date)})));
        if (task.deadline) {
            meta.appendChild(E('span', 'inbox-deadline-' + task.light,
                P.format(TEXT.deadlines[task.light] || TEXT.deadline,
                    {time: P.formatDateTime(task.deadline)})));
        }
        link.appendChild(meta);
        li.appendChild(link);
        return li;
    }

    async function counts() {
        const [todo, cc] = await Promise.all(['todo', 'cc'].map(
            of => P.model('egov.workflow.task', 'search_count', domain(of))));
        document.getElementById('count-todo').textContent = todo;
        document.getElementById('count-cc').textContent = cc;
    }

    async function load(reset) {
        if (reset) {
            list.replaceChildren();
            shown = 0;
        }
        more.disabled = true;
        let tasks;
        try {
            tasks = await P.searchRead('egov.workflow.task', domain(kind),
                FIELDS, ORDER, PAGE + 1, shown);
        } catch (error) {
            P.notice(P.format(TEXT.loadFailed, {error: P.errorText(error)}),
                'error');
            return;
        } finally {
            more.disabled = false;
        }
        tasks.slice(0, PAGE).forEach(function (task) {
            list.appendChild(item(task));
        });
        shown += Math.min(tasks.length, PAGE);
        more.hidden = tasks.length <= PAGE;
        empty.textContent = TEXT.empty[kind];
        empty.hidden = shown > 0;
    }

    document.querySelectorAll('.inbox-tab').forEach(function (tab) {
        tab.addEventListener('click', async function () {
            kind = tab.dataset.kind;
            document.querySelectorAll('.inbox-tab').forEach(function (t) {
                t.setAttribute('aria-selected', String(t === tab));
            });
            delete document.body.dataset.ready;
            await load(true);
            document.body.dataset.ready = '1';
        });
    });
    more.addEventListener('click', function () {
        load(false);
    });

    Promise.all([counts(), load(true)]).catch(P.showError).finally(
        function () {
            document.body.dataset.ready = '1';
        });
}());
