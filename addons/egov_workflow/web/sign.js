/* Signing a to-do (签批): agree or disagree with an opinion, common phrases
 * to add, and a handwritten signature drawn on the pad; submitted through
 * egov.workflow.task.decide, which checks that the to-do is the user's and
 * still open. */
(function () {
    'use strict';
    const P = EgovPage;
    const E = P.element;
    const TEXT = P.texts({
        states: {
            open: 'sign_state_open', done: 'sign_state_done',
            cancelled: 'sign_state_cancelled',
            handed_over: 'sign_state_handed_over',
        },
        lights: {
            red: 'sign_light_red', yellow: 'sign_light_yellow',
            green: 'sign_light_green',
        },
        light: 'sign_light',
        noDeadline: 'sign_no_deadline',
        notOpen: 'sign_not_open',
        copy: 'sign_copy',
        loadFailed: 'sign_load_failed',
        needText: 'sign_need_text',
        submitting: 'sign_submitting',
        submitted: 'sign_submitted',
        nextTodo: 'sign_next_todo',
        decisions: {approve: 'sign_decision_approve',
            reject: 'sign_decision_reject'},
        refused: 'sign_refused',
        values: 'sign_values',
        history: 'sign_history',
        needDecision: 'sign_need_decision',
        needOpinion: 'sign_need_opinion',
        needSignature: 'sign_need_signature',
        confirm: 'sign_confirm',
        confirmNoText: 'sign_confirm_no_text',
        confirmNoSignature: 'sign_confirm_no_signature',
    });
    // What the step requires (the server says it in the page; decide
    // enforces it)
    const NEEDS = {
        opinion: document.body.dataset.opinion === 'required',
        signature: document.body.dataset.signature === 'required',
    };
    document.getElementById('text-required').hidden = !NEEDS.opinion;
    document.getElementById('signature-required').hidden = !NEEDS.signature;
    const decisionBox = document.getElementById('decision');
    const confirmDialog = document.getElementById('confirm');
    const form = document.getElementById('sign-form');
    const submit = document.getElementById('submit');
    const text = document.getElementById('text');
    const phrase = document.getElementById('phrase');
    const canvas = document.getElementById('signature');
    const hint = document.getElementById('signature-hint');
    const pad = new window.SignaturePad(canvas, {
        minWidth: 1,
        maxWidth: 3,
        penColor: '#111',
        backgroundColor: 'rgba(255, 255, 255, 0)',
    });
    window.egovSignaturePad = pad;
    let task = null;

    // The title of the history, its count (a span) where {count} is
    (function () {
        const summary = document.getElementById('history-summary');
        const count = E('span', null, '0');
        count.id = 'history-count';
        const parts = TEXT.history.split('{count}');
        summary.replaceChildren(parts[0], count,
            parts.slice(1).join('{count}'));
    }());

    function resizePad() {
        // The canvas is as large as it shows, in device pixels
        const ratio = Math.max(window.devicePixelRatio || 1, 1);
        const data = pad.toData();
        canvas.width = canvas.offsetWidth * ratio;
        canvas.height = canvas.offsetHeight * ratio;
        canvas.getContext('2d').scale(ratio, ratio);
        pad.clear();
        pad.fromData(data);
        hint.hidden = !pad.isEmpty();
    }

    pad.addEventListener('beginStroke', function () {
        hint.hidden = true;
    });
    document.getElementById('clear').addEventListener('click', function () {
        pad.clear();
        hint.hidden = false;
    });
    window.addEventListener('resize', resizePad);

    phrase.addEventListener('change', function () {
        if (!phrase.value) {
            return;
        }
        const current = text.value.replace(/\s+$/, '');
        text.value = (current ? current + '\n' : '') + phrase.value;
        phrase.value = '';
        text.focus();
    });

    function setEnabled(enabled) {
        Array.from(form.elements).forEach(function (element) {
            element.disabled = !enabled;
        });
        if (enabled) {
            pad.on();
        } else {
            pad.off();
        }
        form.classList.toggle('sign-done', !enabled);
    }

    async function showValues() {
        // What the step lets its holder read of the record, of any model
        // on a process (the server decides, as in the act dialog)
        try {
            const facts = await P.model('egov.workflow.task', 'facts',
                P.recordId);
            if (!facts.length) {
                return;
            }
            const box = document.getElementById('record-values');
            box.appendChild(E('h3', null,
                document.body.dataset.factsTitle || TEXT.values));
            const list = E('dl', 'sign-facts');
            facts.forEach(function ([label, value]) {
                list.appendChild(E('dt', null, label));
                list.appendChild(E('dd', null, value));
            });
            box.appendChild(list);
            box.hidden = false;
        } catch (error) {
            console.info('no access to the record', error);
        }
    }

    async function showHistory() {
        try {
            const opinions = await EgovOpinions.load(task.instance);
            EgovOpinions.render(document.getElementById('opinions'), opinions);
            document.getElementById('history-count').textContent =
                opinions.length;
            document.getElementById('history').hidden = !opinions.length;
        } catch (error) {
            console.info('no access to the opinions', error);
        }
    }

    async function showPhrases() {
        try {
            // One's own first, then the unit's and everybody's
            const phrases = await P.searchRead('egov.workflow.phrase',
                [['usable', '=', true]], ['text']);
            phrases.forEach(function (p) {
                const option = document.createElement('option');
                option.value = p.text;
                option.textContent = p.text;
                phrase.appendChild(option);
            });
        } catch (error) {
            P.showError(error);
        }
    }

    function showTask() {
        document.getElementById('task-title').textContent = task.title || '';
        document.title = (task.step_name || '') + ' - ' + (task.title || '');
        document.getElementById('task-step').textContent = task.step_name;
        const process = task['process.'] || {};
        document.getElementById('task-process').textContent =
            process.rec_name || '';
        const sender = task['sender.'] || {};
        document.getElementById('task-sender').textContent =
            sender.rec_name || '';
        const deadline = document.getElementById('task-deadline');
        deadline.textContent = task.deadline
            ? P.formatDateTime(task.deadline) : TEXT.noDeadline;
        if (task.light && TEXT.lights[task.light]) {
            const light = E('span', 'sign-light-' + task.light,
                P.format(TEXT.light, {light: TEXT.lights[task.light]}));
            deadline.appendChild(light);
        }
        document.getElementById('task-state').textContent =
            TEXT.states[task.state] || task.state;
    }

    async function load() {
        try {
            task = (await P.model('egov.workflow.task', 'read', [P.recordId], [
                'title', 'step_name', 'state', 'kind', 'deadline', 'light',
                'instance', 'record',
                'process.rec_name', 'sender.rec_name']))[0];
        } catch (error) {
            document.getElementById('task-title').textContent = '';
            P.notice(P.format(TEXT.loadFailed, {error: P.errorText(error)}),
                'error');
            setEnabled(false);
            return;
        }
        showTask();
        resizePad();
        await Promise.all([showPhrases(), showHistory(), showValues()]);
        if (task.kind !== 'todo') {
            P.notice(TEXT.copy, 'info');
            setEnabled(false);
        } else if (task.state !== 'open') {
            P.notice(P.format(TEXT.notOpen, {
                state: TEXT.states[task.state] || task.state}), 'warning');
            setEnabled(false);
        } else {
            setEnabled(true);
        }
        document.body.dataset.ready = '1';
    }

    // Whether the to-do was done (or taken away) since the page opened
    async function doneMeanwhile() {
        try {
            const state = (await P.model('egov.workflow.task', 'read',
                [P.recordId], ['state']))[0].state;
            task.state = state;
            document.getElementById('task-state').textContent =
                TEXT.states[state] || state;
            return state !== 'open';
        } catch (error) {
            return false;
        }
    }

    // The chosen decision's colour (also where :has() is not supported)
    function markDecision() {
        form.querySelectorAll('.sign-choice').forEach(function (label) {
            label.classList.toggle('sign-checked',
                label.querySelector('input').checked);
        });
    }
    form.querySelectorAll('input[name="decision"]').forEach(function (radio) {
        radio.addEventListener('change', function () {
            decisionBox.classList.remove('egov-invalid');
            markDecision();
        });
    });
    markDecision();

    // What is missing, said and marked; null when nothing is
    function missing(decision, opinion) {
        const padBox = canvas.parentElement;
        [decisionBox, text, padBox].forEach(function (element) {
            element.classList.remove('egov-invalid');
        });
        if (!decision) {
            decisionBox.classList.add('egov-invalid');
            return [TEXT.needDecision, decisionBox];
        }
        if (!opinion && decision === 'reject') {
            text.classList.add('egov-invalid');
            return [TEXT.needText, text];
        }
        if (!opinion && NEEDS.opinion) {
            text.classList.add('egov-invalid');
            return [TEXT.needOpinion, text];
        }
        if (pad.isEmpty() && NEEDS.signature) {
            padBox.classList.add('egov-invalid');
            return [TEXT.needSignature, padBox];
        }
        return null;
    }

    // The confirmation names the decision and the document; resolves to
    // whether the person confirmed
    function confirmed(decision, opinion) {
        document.getElementById('confirm-text').textContent = P.format(
            TEXT.confirm, {
                decision: TEXT.decisions[decision],
                title: task.title || '',
                step: task.step_name || '',
            });
        const notes = document.getElementById('confirm-notes');
        notes.replaceChildren();
        if (!opinion) {
            notes.appendChild(E('li', null, TEXT.confirmNoText));
        }
        if (pad.isEmpty()) {
            notes.appendChild(E('li', null, TEXT.confirmNoSignature));
        }
        notes.hidden = !notes.children.length;
        confirmDialog.classList.toggle('sign-confirm-approve',
            decision === 'approve');
        confirmDialog.classList.toggle('sign-confirm-reject',
            decision === 'reject');
        confirmDialog.classList.remove('sign-confirm-warning');
        return ask();
    }

    // A warning of the server (the format findings at 签发): the person
    // reads it and goes on or goes back
    function confirmedWarning(error) {
        document.getElementById('confirm-text').textContent = [
            error.message, error.description].filter(Boolean).join('\n');
        const notes = document.getElementById('confirm-notes');
        notes.replaceChildren();
        notes.hidden = true;
        confirmDialog.classList.remove(
            'sign-confirm-approve', 'sign-confirm-reject');
        confirmDialog.classList.add('sign-confirm-warning');
        return ask();
    }

    function ask() {
        return new Promise(function (resolve) {
            const ok = document.getElementById('confirm-ok');
            const back = document.getElementById('confirm-back');
            function close(answer) {
                ok.removeEventListener('click', yes);
                back.removeEventListener('click', no);
                confirmDialog.removeEventListener('cancel', no);
                if (confirmDialog.open) {
                    confirmDialog.close();
                }
                resolve(answer);
            }
            function yes() {
                close(true);
            }
            function no(event) {
                if (event) {
                    event.preventDefault();
                }
                close(false);
            }
            ok.addEventListener('click', yes);
            back.addEventListener('click', no);
            confirmDialog.addEventListener('cancel', no);
            confirmDialog.showModal();
            // Agreeing takes a tap on the button, not a stray Enter
            back.focus();
        });
    }

    // decide; a warning confirmed is skipped once and decide asked again
    async function decide(decision, opinion, signature) {
        for (;;) {
            try {
                return await P.model('egov.workflow.task', 'decide',
                    P.recordId, decision, opinion || null, signature, null);
            } catch (error) {
                if (error.kind !== 'UserWarning' || !error.warning) {
                    throw error;
                }
                if (!await confirmedWarning(error)) {
                    error.declined = true;
                    throw error;
                }
                await P.model('res.user.warning', 'skip', error.warning, false);
            }
        }
    }

    form.addEventListener('submit', async function (event) {
        event.preventDefault();
        const checked = form.querySelector('input[name="decision"]:checked');
        const decision = checked ? checked.value : '';
        const opinion = text.value.trim();
        const lack = missing(decision, opinion);
        // Said at the top and by the button just tapped
        const problem = document.getElementById('problem');
        problem.textContent = lack ? lack[0] : '';
        problem.hidden = !lack;
        if (lack) {
            P.notice(lack[0], 'warning');
            if (lack[1] === text) {
                text.focus();
            }
            document.body.dataset.refused = '1';
            return;
        }
        if (!await confirmed(decision, opinion)) {
            return;
        }
        const signature = pad.isEmpty() ? null
            : P.bytes(pad.toDataURL('image/png').split(',')[1]);
        setEnabled(false);
        P.notice(TEXT.submitting, 'info');
        try {
            await decide(decision, opinion, signature);
        } catch (error) {
            if (error.declined) {
                P.notice('', 'info');
                setEnabled(true);
                return;
            }
            P.notice(TEXT.refused + '\n' + P.errorText(error), 'error');
            window.scrollTo(0, 0);
            setEnabled(!await doneMeanwhile());
            return;
        }
        P.notice(P.format(TEXT.submitted, {
            decision: TEXT.decisions[decision]}),
            'success', {href: document.getElementById('to-inbox').href,
                text: TEXT.nextTodo});
        window.scrollTo(0, 0);
        document.getElementById('task-state').textContent = TEXT.states.done;
        document.body.dataset.submitted = '1';
        await showHistory();
        document.getElementById('history').open = true;
    });

    load();
}());
