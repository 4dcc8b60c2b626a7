/* Monitoring of a process instance: its diagram with each step coloured by
 * its state (done green, active orange, overdue red, waiting grey), who
 * holds it and since when, and the opinions written so far. */
(function () {
    'use strict';
    const P = EgovPage;
    const E = P.element;
    const TEXT = P.texts({
        title: 'monitor_title',
        titleRecord: 'monitor_title_record',
        states: {
            running: 'monitor_state_running', done: 'monitor_state_done',
            rejected: 'monitor_state_rejected',
            terminated: 'monitor_state_terminated',
        },
        steps: {
            done: 'monitor_step_done', active: 'monitor_step_active',
            overdue: 'monitor_step_overdue', waiting: 'monitor_step_waiting',
        },
        holders: 'monitor_holders',
        since: 'monitor_since',
        deadline: 'monitor_deadline',
        doneBy: 'monitor_done_by',
        separator: 'monitor_separator',
        loadFailed: 'monitor_load_failed',
    });
    let viewer = null;

    // The diagram sends times as UTC text "YYYY-MM-DD HH:MM"
    function localTime(text) {
        const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})/.exec(
            text || '');
        if (!match) {
            return text || '';
        }
        return P.formatDateTime(new Date(Date.UTC(Number(match[1]),
            Number(match[2]) - 1, Number(match[3]), Number(match[4]),
            Number(match[5]))));
    }

    async function overdueSteps() {
        // The to-dos the user may see (their own; all for administrators)
        const steps = new Set();
        try {
            const tasks = await P.searchRead('egov.workflow.task', [
                ['instance', '=', P.recordId], ['state', '=', 'open'],
                ['kind', '=', 'todo']], ['step', 'light']);
            tasks.forEach(function (t) {
                if (t.light === 'red') {
                    steps.add(t.step);
                }
            });
        } catch (error) {
            console.warn(error);
        }
        return steps;
    }

    function overlay(step, info, state) {
        const box = E('div', 'monitor-overlay monitor-overlay-' + state);
        box.appendChild(E('div', 'monitor-overlay-state',
            TEXT.steps[state]));
        if (info.holders && info.holders.length && state !== 'done') {
            box.appendChild(E('div', null, P.format(TEXT.holders,
                {names: info.holders.join(TEXT.separator)})));
        }
        if (info.since && state !== 'done') {
            box.appendChild(E('div', null,
                P.format(TEXT.since, {time: localTime(info.since)})));
        }
        if (info.deadline && state !== 'done') {
            box.appendChild(E('div', null,
                P.format(TEXT.deadline, {time: localTime(info.deadline)})));
        }
        if (info.done_by && info.done_by.length) {
            box.appendChild(E('div', null, P.format(TEXT.doneBy,
                {names: info.done_by.join(TEXT.separator)})));
        }
        return box;
    }

    async function show() {
        let diagram, overdue;
        try {
            [diagram, overdue] = await Promise.all([
                P.model('egov.workflow.instance', 'diagram', P.recordId),
                overdueSteps(),
            ]);
        } catch (error) {
            P.notice(P.format(TEXT.loadFailed, {error: P.errorText(error)}),
                'error');
            return;
        }
        document.getElementById('title').textContent = P.format(
            TEXT.titleRecord, {title: diagram.title || ''});
        document.title = (diagram.title || '') + ' - ' + TEXT.title;
        document.getElementById('state').textContent =
            TEXT.states[diagram.state] || diagram.state;
        const canvasNode = document.getElementById('canvas');
        if (!viewer) {
            canvasNode.replaceChildren();
            viewer = new window.BpmnJS({
                container: canvasNode,
                textRenderer: {
                    defaultStyle: {
                        fontFamily: getComputedStyle(document.body).fontFamily,
                        fontSize: 12,
                    },
                },
            });
            window.egovViewer = viewer;
        }
        try {
            await viewer.importXML(diagram.bpmn);
        } catch (error) {
            P.notice(P.format(TEXT.loadFailed, {error: error.message || ''}),
                'error');
            return;
        }
        const canvas = viewer.get('canvas');
        const overlays = viewer.get('overlays');
        const registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport', 'auto');
        registry.filter(function (element) {
            return element.type === 'bpmn:UserTask';
        }).forEach(function (element) {
            const info = diagram.steps[element.id] || {state: 'waiting'};
            let state = info.state || 'waiting';
            if (state === 'active' && (info.light === 'red'
                    || info.overdue || overdue.has(element.id))) {
                state = 'overdue';
            }
            canvas.addMarker(element.id, 'egov-' + state);
            element.businessObject.egovState = state;
            overlays.add(element.id, 'egov-state', {
                position: {top: element.height + 4, left: -25},
                html: overlay(element.id, info, state),
            });
        });
        const list = document.getElementById('opinions');
        try {
            EgovOpinions.render(list, await EgovOpinions.load(P.recordId));
        } catch (error) {
            P.showError(error);
        }
        document.body.dataset.ready = '1';
    }

    document.getElementById('fit').addEventListener('click', function () {
        if (viewer) {
            viewer.get('canvas').zoom('fit-viewport', 'auto');
        }
    });
    document.getElementById('reload').addEventListener('click', function () {
        document.body.dataset.ready = '';
        show();
    });
    show();
}());
