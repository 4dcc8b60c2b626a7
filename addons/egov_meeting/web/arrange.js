/* 调整座位: the room's grid (the rostrum in front, then the rows), a card per
 * attendee. A card dropped on a seat moves there, on a person swaps with
 * them: HTML5 drag and drop with a mouse, pointer events with a finger or
 * a pen (the card follows it), or a tap on the card then on the seat (and
 * the keyboard: Enter on a card, Enter on a seat). Each drop is one POST;
 * the server checks and saves it and answers with the plan as it now is,
 * which is drawn again. Everything is shown as text. */
(function () {
    'use strict';

    // How far a finger moves before a press becomes a drag (px)
    const DRAG_THRESHOLD = 8;

    function block(id) {
        try {
            return JSON.parse(document.getElementById(id).textContent);
        } catch (error) {
            return {};
        }
    }

    const MESSAGES = Object.assign(Object.create(null),
        block('egov-text').messages);
    let plan = block('egov-plan');

    // A message with its %(name)s values filled
    function t(name, values) {
        const text = MESSAGES[name] === undefined ? name : MESSAGES[name];
        return String(text).replace(/%\(([a-z_]+)\)s/g, function (match, key) {
            return values && values[key] !== undefined
                ? String(values[key]) : match;
        });
    }

    const body = document.body;
    const address = '/' + encodeURIComponent(body.dataset.database)
        + '/egov/meeting/arrange/' + encodeURIComponent(body.dataset.meeting)
        + '/seat';
    const room = document.getElementById('room');
    const tray = document.getElementById('tray');
    const trayCards = document.getElementById('tray-cards');
    const status = document.getElementById('status');
    let selected = null;
    let busy = false;

    function element(tag, className, text) {
        const node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined) {
            node.textContent = text;
        }
        return node;
    }

    function say(text, kind) {
        status.textContent = text;
        status.className = 'arrange-status ' + (kind || '');
    }

    function seatName(row, seat) {
        return row === 0 ? t('rostrum_seat', {seat: seat})
            : t('seat', {row: row, seat: seat});
    }

    function card(attendee) {
        const node = element('div', 'card');
        node.draggable = true;
        node.tabIndex = 0;
        node.dataset.id = attendee.id;
        node.setAttribute('role', 'button');
        node.appendChild(element('span', 'card-name', attendee.name));
        node.appendChild(element('small', 'card-unit', attendee.unit));
        if (attendee.signed) {
            node.classList.add('signed');
        }
        if (selected === attendee.id) {
            node.classList.add('selected');
        }
        return node;
    }

    function seatNode(row, seat, attendee) {
        const node = element('div', 'seat');
        node.dataset.row = row;
        node.dataset.seat = seat;
        node.title = seatName(row, seat);
        if (attendee) {
            node.appendChild(card(attendee));
        } else {
            node.classList.add('empty');
            node.tabIndex = 0;
            node.setAttribute('role', 'button');
            node.setAttribute('aria-label', seatName(row, seat));
            node.appendChild(element('span', 'seat-empty', t('empty')));
        }
        return node;
    }

    function render() {
        const taken = new Map();
        const unseated = [];
        for (const attendee of plan.attendees || []) {
            if (attendee.row === null || attendee.seat === null) {
                unseated.push(attendee);
            } else {
                taken.set(attendee.row + '/' + attendee.seat, attendee);
            }
        }
        document.getElementById('banner').textContent = plan.banner || '';
        // One box as wide as the widest line: the rostrum centred over
        // the hall even when the room scrolls
        const grid = element('div', 'arrange-grid');
        const lines = [];
        if (plan.rostrum) {
            lines.push([0, plan.rostrum, t('rostrum')]);
        }
        for (let row = 1; row <= plan.rows; row++) {
            lines.push([row, plan.seats, t('row', {row: row})]);
        }
        for (const [row, count, label] of lines) {
            const line = element('div', row === 0 ? 'line rostrum' : 'line');
            line.appendChild(element('span', 'line-label', label));
            const seats = element('div', 'line-seats');
            for (let seat = 1; seat <= count; seat++) {
                seats.appendChild(seatNode(row, seat,
                    taken.get(row + '/' + seat)));
            }
            line.appendChild(seats);
            grid.appendChild(line);
        }
        const scroll = room.scrollLeft;
        room.replaceChildren(grid);
        room.scrollLeft = scroll;
        trayCards.replaceChildren(...unseated.map(card));
        tray.hidden = unseated.length === 0;
    }

    function occupantOf(row, seat) {
        for (const attendee of plan.attendees || []) {
            if (attendee.row === row && attendee.seat === seat) {
                return attendee.id;
            }
        }
        return null;
    }

    async function drop(id, row, seat) {
        selected = null;
        const occupant = occupantOf(row, seat);
        if (busy || occupant === id) {
            render();
            return;
        }
        busy = true;
        body.classList.add('saving');
        say(t('saving'), '');
        let response;
        let data = {};
        try {
            response = await fetch(address, {
                method: 'POST',
                credentials: 'same-origin',
                headers: {'Content-Type': 'application/json',
                    'Accept': 'application/json'},
                body: JSON.stringify({attendee: id, row: row, seat: seat,
                    occupant: occupant}),
            });
            data = await response.json().catch(function () {
                return {};
            });
        } catch (error) {
            response = null;
        }
        busy = false;
        body.classList.remove('saving');
        if (data.plan) {
            plan = data.plan;
        }
        render();
        if (response === null) {
            say(t('network'), 'error');
        } else if (response.status === 401) {
            say(t('login_expired'), 'error');
        } else if (!response.ok) {
            say(data.error || t('server_error'), 'error');
        } else {
            say(data.message || t('saved'), 'ok');
        }
    }

    function seatAt(x, y) {
        const target = document.elementFromPoint(x, y);
        return target ? target.closest('.seat') : null;
    }

    function mark(seat) {
        for (const node of room.querySelectorAll('.seat.over')) {
            if (node !== seat) {
                node.classList.remove('over');
            }
        }
        if (seat) {
            seat.classList.add('over');
        }
    }

    function place(seat, id) {
        mark(null);
        if (seat && id) {
            drop(id, Number(seat.dataset.row), Number(seat.dataset.seat));
        }
    }

    // The mouse: HTML5 drag and drop
    document.addEventListener('dragstart', function (event) {
        const node = event.target.closest && event.target.closest('.card');
        if (!node || busy) {
            event.preventDefault();
            return;
        }
        event.dataTransfer.setData('text/plain', node.dataset.id);
        event.dataTransfer.effectAllowed = 'move';
        node.classList.add('dragging');
    });
    document.addEventListener('dragend', function (event) {
        if (event.target.classList) {
            event.target.classList.remove('dragging');
        }
        mark(null);
    });
    room.addEventListener('dragover', function (event) {
        const seat = event.target.closest('.seat');
        if (seat) {
            event.preventDefault();
            event.dataTransfer.dropEffect = 'move';
            mark(seat);
        }
    });
    room.addEventListener('drop', function (event) {
        const seat = event.target.closest('.seat');
        if (seat) {
            event.preventDefault();
            place(seat, Number(event.dataTransfer.getData('text/plain')));
        }
    });

    // A finger or a pen: the card follows it, the seat under it takes it
    let press = null;
    document.addEventListener('pointerdown', function (event) {
        const node = event.target.closest('.card');
        if (!node || event.pointerType === 'mouse' || busy) {
            return;
        }
        press = {id: Number(node.dataset.id), node: node,
            x: event.clientX, y: event.clientY, ghost: null,
            pointer: event.pointerId};
    });
    document.addEventListener('pointermove', function (event) {
        if (!press || event.pointerId !== press.pointer) {
            return;
        }
        const dx = event.clientX - press.x;
        const dy = event.clientY - press.y;
        if (!press.ghost) {
            if (Math.hypot(dx, dy) < DRAG_THRESHOLD) {
                return;
            }
            press.ghost = press.node.cloneNode(true);
            press.ghost.classList.add('ghost');
            document.body.appendChild(press.ghost);
            press.node.classList.add('dragging');
        }
        event.preventDefault();
        press.ghost.style.left = (event.clientX - 30) + 'px';
        press.ghost.style.top = (event.clientY - 20) + 'px';
        mark(seatAt(event.clientX, event.clientY));
    });

    function release(event, cancelled) {
        if (!press || event.pointerId !== press.pointer) {
            return;
        }
        const current = press;
        press = null;
        if (!current.ghost) {
            return;  // a tap: the click selects
        }
        current.ghost.remove();
        current.node.classList.remove('dragging');
        suppressClick = true;
        place(cancelled ? null : seatAt(event.clientX, event.clientY),
            current.id);
    }
    let suppressClick = false;
    document.addEventListener('pointerup', function (event) {
        release(event, false);
    });
    document.addEventListener('pointercancel', function (event) {
        release(event, true);
    });

    // A tap (or Enter) on a card chooses it, then one on a seat places it
    function choose(target) {
        const node = target.closest('.card');
        const seat = target.closest('.seat');
        if (selected !== null && seat
                && Number(node && node.dataset.id) !== selected) {
            place(seat, selected);
            return;
        }
        if (node) {
            const id = Number(node.dataset.id);
            selected = selected === id ? null : id;
            render();
            if (selected !== null) {
                const attendee = (plan.attendees || []).find(
                    function (a) {
                        return a.id === id;
                    });
                say(t('selected', {name: attendee ? attendee.name : ''}), '');
                const again = document.querySelector(
                    '.card[data-id="' + id + '"]');
                if (again) {
                    again.focus();
                }
            } else {
                say('', '');
            }
        }
    }
    document.addEventListener('click', function (event) {
        if (suppressClick) {
            suppressClick = false;
            return;
        }
        if (!busy) {
            choose(event.target);
        }
    });
    document.addEventListener('keydown', function (event) {
        if ((event.key === 'Enter' || event.key === ' ') && !busy
                && event.target.closest
                && event.target.closest('.card, .seat.empty')) {
            event.preventDefault();
            choose(event.target);
        }
    });

    render();
    // A narrow screen starts at the middle of the room, where the rostrum is
    room.scrollLeft = (room.scrollWidth - room.clientWidth) / 2;
}());
