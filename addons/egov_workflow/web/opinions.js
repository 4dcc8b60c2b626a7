/* The opinions (意见) of an instance, as a list: who, when, what they
 * decided and wrote, and their handwritten signature. Shared by the
 * monitoring page and the signing page. */
(function (global) {
    'use strict';
    const P = global.EgovPage;
    const E = P.element;
    const DECISIONS = P.texts({
        approve: 'opinions_decision_approve',
        reject: 'opinions_decision_reject',
        send_back: 'opinions_decision_send_back',
        withdraw: 'opinions_decision_withdraw',
        hand_over: 'opinions_decision_hand_over',
        read: 'opinions_decision_read',
    });
    const TEXT = P.texts({
        none: 'opinions_none',
        signature: 'opinions_signature',
        returnedTo: 'opinions_returned_to',
        handedTo: 'opinions_handed_to',
    });

    async function load(instanceId) {
        return P.searchRead('egov.workflow.opinion',
            [['instance', '=', instanceId]],
            ['step_name', 'author', 'post', 'date', 'decision', 'text',
                'signature', 'target_step', 'target_user.rec_name'],
            [['date', 'ASC'], ['id', 'ASC']]);
    }

    function render(list, opinions) {
        list.replaceChildren();
        if (!opinions.length) {
            list.appendChild(E('li', 'egov-opinion-empty', TEXT.none));
            return;
        }
        opinions.forEach(function (o) {
            const item = E('li', 'egov-opinion egov-decision-'
                + (o.decision || 'none'));
            const head = E('div', 'egov-opinion-head');
            head.appendChild(E('span', 'egov-opinion-step', o.step_name));
            if (o.decision) {
                head.appendChild(E('span', 'egov-opinion-decision',
                    DECISIONS[o.decision] || o.decision));
            }
            item.appendChild(head);
            const who = E('div', 'egov-opinion-who');
            who.appendChild(E('span', 'egov-opinion-author', o.author));
            if (o.post) {
                who.appendChild(E('span', 'egov-opinion-post', o.post));
            }
            who.appendChild(E('time', 'egov-opinion-date',
                P.formatDateTime(o.date)));
            item.appendChild(who);
            if (o.target_step) {
                item.appendChild(E('div', 'egov-opinion-target',
                    P.format(TEXT.returnedTo, {step: o.target_step})));
            }
            const target = o['target_user.'] || {};
            if (target.rec_name) {
                item.appendChild(E('div', 'egov-opinion-target',
                    P.format(TEXT.handedTo, {user: target.rec_name})));
            }
            if (o.text) {
                item.appendChild(E('p', 'egov-opinion-text', o.text));
            }
            if (o.signature && o.signature.base64) {
                const image = document.createElement('img');
                image.className = 'egov-opinion-signature';
                image.alt = TEXT.signature;
                image.src = 'data:image/png;base64,' + o.signature.base64;
                item.appendChild(image);
            }
            list.appendChild(item);
        });
    }

    global.EgovOpinions = {load: load, render: render, DECISIONS: DECISIONS};
}(window));
