/* Process designer: bpmn-js with the platform's attributes of the steps
 * (办理人规则, 办理时限, 会签方式, 表单字段规则) and the conditions of the
 * flows, saved into egov.workflow.process.bpmn (checked by the server). */
(function () {
    'use strict';
    const P = EgovPage;
    const EGOV = 'http://yichun.gov.cn/schema/egov/bpmn';

    // What bpmn-js shows (palette, context pad, popup menus, its errors):
    // its English strings, translated (messages msg_page_designer_lib_…)
    const TRANSLATIONS = P.translations;
    // Strings bpmn-js asked for that have no translation (for the tests)
    const missing = new Set();
    window.egovMissingTranslations = missing;

    function translate(template, replacements) {
        replacements = replacements || {};
        let text = TRANSLATIONS[template];
        if (text === undefined) {
            missing.add(template);
            text = template;
        }
        return text.replace(/{([^}]+)}/g, function (match, key) {
            return replacements[key] !== undefined
                ? replacements[key] : match;
        });
    }

    // The page's own words
    const T = P.t;
    const TEXT = P.texts({
        title: 'designer_title',
        titleRecord: 'designer_title_record',
        states: {
            draft: 'designer_state_draft', active: 'designer_state_active',
            retired: 'designer_state_retired',
        },
        readonly: {
            active: 'designer_readonly_active',
            retired: 'designer_readonly_retired',
            access: 'designer_readonly_access',
        },
        saved: 'designer_saved',
        saving: 'designer_saving',
        refused: 'designer_refused',
        loadFailed: 'designer_load_failed',
        unsaved: 'designer_unsaved',
        properties: 'designer_properties',
        nothing: 'designer_nothing',
        process: 'designer_process',
        processName: 'designer_process_name',
        processId: 'designer_process_id',
        element: 'designer_element',
        elementId: 'designer_element_id',
        name: 'designer_name',
        kinds: {
            'bpmn:UserTask': 'designer_kind_user_task',
            'bpmn:Task': 'designer_kind_task',
            'bpmn:StartEvent': 'designer_kind_start_event',
            'bpmn:EndEvent': 'designer_kind_end_event',
            'bpmn:ExclusiveGateway': 'designer_kind_exclusive_gateway',
            'bpmn:ParallelGateway': 'designer_kind_parallel_gateway',
            'bpmn:InclusiveGateway': 'designer_kind_inclusive_gateway',
            'bpmn:SequenceFlow': 'designer_kind_sequence_flow',
            'bpmn:TextAnnotation': 'designer_kind_text_annotation',
        },
        assignee: 'designer_assignee',
        assigneeHelp: 'designer_assignee_help',
        choose: 'designer_choose',
        ruleOther: 'designer_rule_other',
        ruleText: 'designer_rule_text',
        ruleTextValue: 'designer_rule_text_value',
        argument: 'designer_argument',
        deadline: 'designer_deadline',
        deadlineHelp: 'designer_deadline_help',
        multi: 'designer_multi',
        multiHelp: 'designer_multi_help',
        mode: 'designer_mode',
        modes: {
            all: 'designer_mode_all',
            any: 'designer_mode_any',
            n: 'designer_mode_n',
        },
        modeCount: 'designer_mode_count',
        fields: 'designer_fields',
        fieldsHelp: 'designer_fields_help',
        fieldName: 'designer_field_name',
        fieldAccess: 'designer_field_access',
        access: {
            '': 'designer_access_unset',
            hidden: 'designer_access_hidden',
            read: 'designer_access_read',
            edit: 'designer_access_edit',
            required: 'designer_access_required',
        },
        addField: 'designer_add_field',
        addFieldPrompt: 'designer_add_field_prompt',
        condition: 'designer_condition',
        conditionHelp: 'designer_condition_help',
        isDefault: 'designer_is_default',
        defaultHelp: 'designer_default_help',
        needAssignee: 'designer_need_assignee',
        badDeadline: 'designer_bad_deadline',
        badField: 'designer_bad_field',
    });
    const POST_ARG = {label: T('designer_arg_post'),
        placeholder: T('designer_arg_post_example'), list: 'egov-posts'};
    const RULES = [
        {kind: 'initiator', label: T('designer_rule_initiator'), args: []},
        {kind: 'head:initiator', label: T('designer_rule_head_initiator'),
            args: []},
        {kind: 'head:unit', label: T('designer_rule_head_unit'), args: []},
        {kind: 'leader:initiator', label: T('designer_rule_leader'),
            args: []},
        {kind: 'post', label: T('designer_rule_post'), args: [POST_ARG]},
        {kind: 'user', label: T('designer_rule_user'),
            args: [{label: T('designer_arg_login'),
                placeholder: T('designer_arg_login_example')}]},
        {kind: 'role', label: T('designer_rule_role'),
            args: [{label: T('designer_arg_role'),
                placeholder: T('designer_arg_role_example'),
                list: 'egov-roles'}]},
        {kind: 'field', label: T('designer_rule_field'),
            args: [{label: T('designer_arg_field'), list: 'egov-fields'}]},
        {kind: 'heads', label: T('designer_rule_heads'),
            args: [{label: T('designer_arg_field'),
                list: 'egov-unit-fields'}]},
        {kind: 'units', label: T('designer_rule_units'),
            args: [{label: T('designer_arg_field'), list: 'egov-unit-fields'},
                POST_ARG]},
    ];
    // The roles of the platform's posts (module.group), for role:…
    const ROLES = [
        ['egov_base.group_org_admin', T('designer_role_org_admin')],
        ['egov_base.group_org_admin_city', T('designer_role_org_admin_city')],
        ['egov_base.group_app_admin', T('designer_role_app_admin')],
        ['egov_workflow.group_workflow_admin',
            T('designer_role_workflow_admin')],
        ['egov_workflow.group_workflow_admin_city',
            T('designer_role_workflow_admin_city')],
        ['egov_workflow.group_approval', T('designer_role_approval')],
        ['egov_base.group_directory', T('designer_role_directory')],
    ];
    // The usual names of posts, suggested for post:… and units:…:…
    const POSTS = P.texts(['designer_post_clerk', 'designer_post_secretary',
        'designer_post_head', 'designer_post_chief', 'designer_post_deputy',
        'designer_post_staff', 'designer_post_sysadmin']);
    // The unit lists and title of approval requests (egov.workflow.request)
    const REQUEST_FIELDS = [
        ['title', T('designer_request_title')],
        ['cosign_units', T('designer_request_cosign_units')],
        ['recipients', T('designer_request_recipients')],
        ['handlers', T('designer_request_handlers')],
    ];
    const UNIT_FIELDS = ['cosign_units', 'recipients', 'handlers'];
    const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

    let modeler = null;
    let process = null;
    let formFields = [];
    let dirty = false;
    const readonly = P.readonly;

    // Palette, context pad and replace menu: what the platform runs
    function EgovPalette(palette, create, elementFactory, translate) {
        this._create = create;
        this._elementFactory = elementFactory;
        this._translate = translate;
        palette.registerProvider(500, this);
    }
    EgovPalette.$inject = ['palette', 'create', 'elementFactory', 'translate'];
    EgovPalette.prototype.getPaletteEntries = function () {
        const create = this._create;
        const elementFactory = this._elementFactory;
        const translate = this._translate;
        return function (entries) {
            ['create.task', 'create.intermediate-event',
                'create.subprocess-expanded', 'create.participant-expanded',
                'create.data-object', 'create.data-store', 'create.group',
            ].forEach(function (key) {
                delete entries[key];
            });
            function createUserTask(event) {
                create.start(event, elementFactory.createShape({
                    type: 'bpmn:UserTask'}));
            }
            entries['create.user-task'] = {
                group: 'activity',
                className: 'bpmn-icon-user-task',
                title: translate('Create user task'),
                action: {dragstart: createUserTask, click: createUserTask},
            };
            return entries;
        };
    };

    function EgovContextPad(contextPad, create, elementFactory, injector,
            translate) {
        this._create = create;
        this._elementFactory = elementFactory;
        this._autoPlace = injector.get('autoPlace', false);
        this._translate = translate;
        contextPad.registerProvider(500, this);
    }
    EgovContextPad.$inject = ['contextPad', 'create', 'elementFactory',
        'injector', 'translate'];
    EgovContextPad.prototype.getContextPadEntries = function (element) {
        const self = this;
        return function (entries) {
            Object.keys(entries).forEach(function (key) {
                if (key.startsWith('append.') && ![
                        'append.end-event', 'append.gateway',
                        'append.append-task', 'append.text-annotation',
                    ].includes(key)) {
                    delete entries[key];
                }
            });
            if (entries['append.append-task']) {
                const append = function (event, source) {
                    const shape = self._elementFactory.createShape({
                        type: 'bpmn:UserTask'});
                    if (self._autoPlace && event.type !== 'dragstart') {
                        self._autoPlace.append(source, shape);
                    } else {
                        self._create.start(event, shape, {source: source});
                    }
                };
                entries['append.append-task'] = Object.assign(
                    {}, entries['append.append-task'], {
                        className: 'bpmn-icon-user-task',
                        title: self._translate('Append user task'),
                        action: {click: append, dragstart: append},
                    });
            }
            return entries;
        };
    };

    const REPLACE_ALLOWED = new Set([
        'replace-with-user-task', 'replace-with-task',
        'replace-with-none-start', 'replace-with-none-end',
        'replace-with-terminate-end', 'replace-with-exclusive-gateway',
        'replace-with-parallel-gateway', 'replace-with-inclusive-gateway',
        'replace-with-sequence-flow', 'replace-with-default-flow',
        'replace-with-conditional-flow',
    ]);

    function EgovReplaceMenu(popupMenu) {
        popupMenu.registerProvider('bpmn-replace', 500, this);
    }
    EgovReplaceMenu.$inject = ['popupMenu'];
    EgovReplaceMenu.prototype.getPopupMenuEntries = function () {
        return function (entries) {
            const kept = {};
            Object.keys(entries).forEach(function (key) {
                if (REPLACE_ALLOWED.has(key)) {
                    kept[key] = entries[key];
                }
            });
            return kept;
        };
    };
    EgovReplaceMenu.prototype.getPopupMenuHeaderEntries = function () {
        return function (entries) {
            const kept = {};
            if (entries['toggle-parallel-mi']) {
                kept['toggle-parallel-mi'] = entries['toggle-parallel-mi'];
            }
            return kept;
        };
    };

    const EgovModule = {
        __init__: ['egovPalette', 'egovContextPad', 'egovReplaceMenu'],
        translate: ['value', translate],
        egovPalette: ['type', EgovPalette],
        egovContextPad: ['type', EgovContextPad],
        egovReplaceMenu: ['type', EgovReplaceMenu],
    };
    const TranslateModule = {translate: ['value', translate]};

    // The properties panel

    const E = P.element;

    function field(label, control, help) {
        const box = E('div', 'egov-field');
        const id = 'p-' + Math.random().toString(36).slice(2, 9);
        const caption = E('label', null, label);
        caption.htmlFor = id;
        control.id = control.id || id;
        box.appendChild(caption);
        box.appendChild(control);
        if (help) {
            box.appendChild(E('div', 'egov-help', help));
        }
        return box;
    }

    function input(value, options) {
        const node = document.createElement('input');
        node.type = (options && options.type) || 'text';
        node.value = value || '';
        if (options) {
            if (options.placeholder) {
                node.placeholder = options.placeholder;
            }
            if (options.list) {
                node.setAttribute('list', options.list);
            }
            if (options.min !== undefined) {
                node.min = options.min;
            }
            if (options.max !== undefined) {
                node.max = options.max;
            }
            if (options.name) {
                node.name = options.name;
            }
        }
        node.disabled = Boolean(readonly);
        return node;
    }

    function select(choices, value, name) {
        const node = document.createElement('select');
        choices.forEach(function (choice) {
            const option = document.createElement('option');
            option.value = choice[0];
            option.textContent = choice[1];
            node.appendChild(option);
        });
        node.value = value;
        if (name) {
            node.name = name;
        }
        node.disabled = Boolean(readonly);
        return node;
    }

    function onChange(node, callback) {
        node.addEventListener('change', callback);
    }

    function businessObject(element) {
        return element.businessObject;
    }

    function update(element, properties) {
        modeler.get('modeling').updateProperties(element, properties);
    }

    function parseRule(text) {
        text = (text || '').trim();
        if (!text) {
            return {kind: '', args: []};
        }
        for (const fixed of ['initiator', 'head:initiator', 'head:unit',
                'leader:initiator']) {
            if (text === fixed) {
                return {kind: fixed, args: []};
            }
        }
        const parts = text.split(':').map(function (part) {
            return part.trim();
        });
        const kind = parts.shift();
        const rule = RULES.find(function (r) {
            return r.kind === kind;
        });
        if (rule && rule.args.length === parts.length) {
            return {kind: kind, args: parts};
        }
        return {kind: 'other', args: [text]};
    }

    function ruleText(kind, args) {
        if (!kind) {
            return '';
        }
        if (kind === 'other') {
            return (args[0] || '').trim();
        }
        return [kind].concat(args.map(function (a) {
            return (a || '').trim();
        })).join(':');
    }

    function parseFields(text) {
        const rules = [];
        (text || '').split(',').forEach(function (part) {
            part = part.trim();
            if (!part) {
                return;
            }
            const index = part.indexOf(':');
            const name = (index < 0 ? part : part.slice(0, index)).trim();
            const access = (index < 0 ? 'read' : part.slice(index + 1)).trim();
            rules.push([name, access || 'read']);
        });
        return rules;
    }

    function assigneeSection(element, panel) {
        const bo = businessObject(element);
        const current = parseRule(bo.get('egov:assignee'));
        const choices = [['', TEXT.choose]].concat(RULES.map(function (r) {
            return [r.kind, r.label];
        }));
        if (current.kind === 'other') {
            choices.push(['other', TEXT.ruleOther]);
        }
        const kind = select(choices, current.kind, 'assignee-kind');
        if (!current.kind) {
            kind.classList.add('egov-invalid');
        }
        panel.appendChild(field(TEXT.assignee, kind, TEXT.assigneeHelp));
        const rule = RULES.find(function (r) {
            return r.kind === current.kind;
        });
        const argumentsSpec = current.kind === 'other'
            ? [{label: TEXT.ruleText}] : (rule ? rule.args : []);
        const inputs = argumentsSpec.map(function (spec, index) {
            const node = input(current.args[index], {
                placeholder: spec.placeholder, list: spec.list,
                name: 'assignee-arg-' + index});
            if (!node.value) {
                node.classList.add('egov-invalid');
            }
            panel.appendChild(field(spec.label, node));
            return node;
        });
        const text = ruleText(current.kind, current.args);
        if (text) {
            panel.appendChild(E('div', 'egov-help egov-rule-text',
                P.format(TEXT.ruleTextValue, {rule: text})));
        }
        onChange(kind, function () {
            const spec = RULES.find(function (r) {
                return r.kind === kind.value;
            });
            const args = spec ? spec.args.map(function () {
                return '';
            }) : [];
            const value = spec && !args.length ? ruleText(kind.value, []) : (
                kind.value ? kind.value + ':'.repeat(args.length) : '');
            update(element, {'egov:assignee': value || undefined});
        });
        inputs.forEach(function (node) {
            onChange(node, function () {
                const args = inputs.map(function (i) {
                    return i.value;
                });
                update(element, {
                    'egov:assignee': ruleText(current.kind, args) || undefined});
            });
        });
    }

    function isMulti(bo) {
        return Boolean(bo.loopCharacteristics) && bo.loopCharacteristics.$type
            === 'bpmn:MultiInstanceLoopCharacteristics';
    }

    function stepSection(element, panel) {
        const bo = businessObject(element);
        assigneeSection(element, panel);

        const deadline = input(bo.get('egov:deadline'), {
            type: 'number', min: 1, max: 365, name: 'deadline'});
        panel.appendChild(field(TEXT.deadline, deadline, TEXT.deadlineHelp));
        onChange(deadline, function () {
            const value = deadline.value.trim();
            if (value && !/^[0-9]+$/.test(value)
                    || Number(value) < 0 || Number(value) > 365) {
                deadline.classList.add('egov-invalid');
                P.notice(TEXT.badDeadline, 'warning');
                return;
            }
            update(element, {'egov:deadline': value || undefined});
        });

        const multi = input('', {type: 'checkbox', name: 'multi'});
        multi.checked = isMulti(bo);
        const multiBox = E('div', 'egov-field egov-check');
        const multiLabel = E('label');
        multiLabel.appendChild(multi);
        multiLabel.appendChild(document.createTextNode(' ' + TEXT.multi));
        multiBox.appendChild(multiLabel);
        multiBox.appendChild(E('div', 'egov-help', TEXT.multiHelp));
        panel.appendChild(multiBox);
        onChange(multi, function () {
            if (multi.checked) {
                const loop = modeler.get('moddle').create(
                    'bpmn:MultiInstanceLoopCharacteristics');
                update(element, {loopCharacteristics: loop});
            } else {
                update(element, {
                    loopCharacteristics: undefined, 'egov:mode': undefined});
            }
        });

        if (isMulti(bo)) {
            const mode = bo.get('egov:mode') || 'all';
            const isCount = /^[0-9]+$/.test(mode);
            const modeSelect = select([
                ['all', TEXT.modes.all], ['any', TEXT.modes.any],
                ['n', TEXT.modes.n]], isCount ? 'n' : mode, 'mode');
            panel.appendChild(field(TEXT.mode, modeSelect));
            onChange(modeSelect, function () {
                const value = modeSelect.value === 'n' ? '2' : modeSelect.value;
                update(element, {
                    'egov:mode': value === 'all' ? undefined : value});
            });
            if (isCount) {
                const count = input(mode, {type: 'number', min: 1,
                    name: 'mode-count'});
                panel.appendChild(field(TEXT.modeCount, count));
                onChange(count, function () {
                    if (/^[1-9][0-9]*$/.test(count.value.trim())) {
                        update(element, {'egov:mode': count.value.trim()});
                    } else {
                        count.classList.add('egov-invalid');
                    }
                });
            }
        }
        fieldsSection(element, panel);
    }

    function fieldsSection(element, panel) {
        const bo = businessObject(element);
        const rules = parseFields(bo.get('egov:fields'));
        const known = new Map();
        formFields.forEach(function (f) {
            known.set(f[0], f[1]);
        });
        rules.forEach(function (r) {
            if (!known.has(r[0])) {
                known.set(r[0], r[0]);
            }
        });
        const values = new Map(rules);
        const box = E('div', 'egov-field');
        box.appendChild(E('span', 'egov-label', TEXT.fields));
        box.appendChild(E('div', 'egov-help', TEXT.fieldsHelp));
        const table = E('table', 'egov-fields');
        const head = E('tr');
        head.appendChild(E('th', null, TEXT.fieldName));
        head.appendChild(E('th', null, TEXT.fieldAccess));
        table.appendChild(head);
        const selects = [];
        known.forEach(function (label, name) {
            const row = E('tr');
            const cell = E('td', null, label);
            cell.title = name;
            row.appendChild(cell);
            const choice = select(Object.entries(TEXT.access),
                values.get(name) || '', 'field-' + name);
            choice.dataset.field = name;
            selects.push(choice);
            const td = E('td');
            td.appendChild(choice);
            row.appendChild(td);
            table.appendChild(row);
        });
        box.appendChild(table);
        function save() {
            const text = selects.filter(function (s) {
                return s.value;
            }).map(function (s) {
                return s.dataset.field + ':' + s.value;
            }).join(',');
            update(element, {'egov:fields': text || undefined});
        }
        selects.forEach(function (s) {
            onChange(s, save);
        });
        if (!readonly) {
            const add = E('button', 'egov-button egov-small', TEXT.addField);
            add.type = 'button';
            add.addEventListener('click', function () {
                const name = (window.prompt(TEXT.addFieldPrompt) || '').trim();
                if (!name) {
                    return;
                }
                if (!IDENTIFIER.test(name)) {
                    P.notice(TEXT.badField, 'warning');
                    return;
                }
                const text = bo.get('egov:fields');
                update(element, {'egov:fields':
                    (text ? text + ',' : '') + name + ':read'});
            });
            box.appendChild(add);
        }
        panel.appendChild(box);
    }

    function conditionSection(element, panel) {
        const bo = businessObject(element);
        const source = bo.sourceRef;
        const gateway = source && ['bpmn:ExclusiveGateway',
            'bpmn:InclusiveGateway'].includes(source.$type);
        const isDefault = Boolean(source && source.default === bo);
        const expression = bo.conditionExpression
            ? bo.conditionExpression.body || '' : '';
        const area = document.createElement('textarea');
        area.name = 'condition';
        area.value = expression;
        area.rows = 3;
        area.disabled = Boolean(readonly) || isDefault;
        panel.appendChild(field(TEXT.condition, area, TEXT.conditionHelp));
        onChange(area, function () {
            const text = area.value.trim();
            if (text) {
                const condition = modeler.get('moddle').create(
                    'bpmn:FormalExpression', {body: text});
                update(element, {conditionExpression: condition});
            } else {
                update(element, {conditionExpression: undefined});
            }
        });
        if (gateway) {
            const check = input('', {type: 'checkbox', name: 'default'});
            check.checked = isDefault;
            const box = E('div', 'egov-field egov-check');
            const label = E('label');
            label.appendChild(check);
            label.appendChild(document.createTextNode(' ' + TEXT.isDefault));
            box.appendChild(label);
            box.appendChild(E('div', 'egov-help', TEXT.defaultHelp));
            panel.appendChild(box);
            onChange(check, function () {
                const registry = modeler.get('elementRegistry');
                const sourceShape = registry.get(source.id);
                if (check.checked) {
                    update(element, {conditionExpression: undefined});
                    update(sourceShape, {'default': bo});
                } else {
                    update(sourceShape, {'default': undefined});
                }
            });
        }
    }

    function nameSection(element, panel, label) {
        const bo = businessObject(element);
        const name = input(bo.name, {name: 'name'});
        panel.appendChild(field(label || TEXT.name, name));
        onChange(name, function () {
            update(element, {name: name.value.trim() || undefined});
        });
    }

    function renderProperties(element) {
        const panel = document.getElementById('properties');
        panel.replaceChildren();
        panel.appendChild(E('h2', null, TEXT.properties));
        if (!element || element.type === 'label') {
            element = element && element.labelTarget;
        }
        const root = modeler.get('canvas').getRootElement();
        if (!element || element === root) {
            const bo = root.businessObject;
            panel.appendChild(E('div', 'egov-kind', TEXT.process));
            if (bo && bo.$type === 'bpmn:Process') {
                nameSection(root, panel, TEXT.processName);
                const id = input(bo.id, {name: 'process-id'});
                id.disabled = true;
                panel.appendChild(field(TEXT.processId, id));
            }
            panel.appendChild(E('p', 'egov-help', TEXT.nothing));
            return;
        }
        const bo = businessObject(element);
        panel.appendChild(E('div', 'egov-kind',
            TEXT.kinds[bo.$type] || TEXT.element));
        const id = input(bo.id, {name: 'element-id'});
        id.disabled = true;
        panel.appendChild(field(TEXT.elementId, id));
        if (bo.$type !== 'bpmn:TextAnnotation') {
            nameSection(element, panel);
        }
        if (bo.$type === 'bpmn:UserTask') {
            stepSection(element, panel);
        } else if (bo.$type === 'bpmn:SequenceFlow') {
            conditionSection(element, panel);
        }
    }

    function datalist(id, values) {
        const list = document.createElement('datalist');
        list.id = id;
        values.forEach(function (value) {
            const option = document.createElement('option');
            option.value = value[0];
            if (value[1]) {
                option.label = value[1];
            }
            list.appendChild(option);
        });
        document.body.appendChild(list);
    }

    function setDirty(value) {
        dirty = value;
        document.getElementById('dirty').hidden = !value;
    }

    async function save() {
        if (readonly || !modeler) {
            return;
        }
        const button = document.getElementById('save');
        button.disabled = true;
        P.notice(TEXT.saving, 'info');
        try {
            const result = await modeler.saveXML({format: true});
            process._timestamp = await P.writeChecked('egov.workflow.process',
                P.recordId, process._timestamp, {bpmn: result.xml});
            setDirty(false);
            showRefused(null);
            P.notice(TEXT.saved, 'success');
        } catch (error) {
            P.notice(TEXT.refused + '\n' + P.errorText(error), 'error');
            showRefused(error);
        } finally {
            button.disabled = false;
        }
    }

    // The server names the element it refuses: select and show it
    function showRefused(error) {
        const registry = modeler.get('elementRegistry');
        const canvas = modeler.get('canvas');
        registry.forEach(function (element) {
            canvas.removeMarker(element, 'egov-refused');
        });
        const message = error && error.message ? error.message : '';
        // (the element's identifier between the quotation marks of the
        // server's message: "…" in English, 「…」 in Chinese)
        const names = Array.from(message.matchAll(
            /["\u300c]([^"\u300c\u300d]+)["\u300d]/g),
            function (match) {
                return match[1];
            });
        const element = names.map(function (name) {
            return registry.get(name);
        }).find(Boolean);
        if (element) {
            canvas.addMarker(element, 'egov-refused');
            canvas.scrollToElement(element);
            modeler.get('selection').select(element);
        }
    }

    async function loadChoices() {
        if (process.form) {
            try {
                const fields = await P.searchRead('egov.workflow.form.field',
                    [['form', '=', process.form]], ['name', 'string'],
                    [['id', 'ASC']]);
                formFields = fields.map(function (f) {
                    return [f.name, f.string || f.name];
                });
            } catch (error) {
                formFields = [];
            }
        }
        if (process.model === 'egov.workflow.request') {
            formFields = REQUEST_FIELDS.concat(formFields);
        }
        datalist('egov-posts', POSTS.map(function (p) {
            return [p];
        }));
        datalist('egov-fields', formFields);
        datalist('egov-unit-fields', formFields.filter(function (f) {
            return UNIT_FIELDS.includes(f[0]);
        }));
        datalist('egov-roles', ROLES);
    }

    async function start() {
        const body = document.body;
        if (readonly) {
            body.classList.add('egov-readonly');
            P.notice(TEXT.readonly[readonly] || TEXT.readonly.access,
                'warning');
        }
        let bundle = readonly
            ? 'bpmn-navigated-viewer.production.min.js'
            : 'bpmn-modeler.production.min.js';
        const moddle = fetch(P.staticUrl + 'egov-moddle.json', {
            credentials: 'same-origin'}).then(function (r) {
            return r.json();
        });
        try {
            const [records] = await Promise.all([
                P.model('egov.workflow.process', 'read', [P.recordId], [
                    'rec_name', 'name', 'state', 'bpmn', 'form', 'model',
                    '_timestamp']),
                P.loadScript('/node_modules/bpmn-js/dist/' + bundle),
            ]);
            process = records[0];
        } catch (error) {
            P.notice(P.format(TEXT.loadFailed, {error: P.errorText(error)}),
                'error');
            return;
        }
        document.getElementById('title').textContent = P.format(
            TEXT.titleRecord, {name: process.rec_name});
        document.title = process.rec_name + ' - ' + TEXT.title;
        document.getElementById('state').textContent =
            TEXT.states[process.state] || process.state;
        await loadChoices();
        const canvas = document.getElementById('canvas');
        canvas.replaceChildren();
        const options = {
            container: canvas,
            moddleExtensions: {egov: await moddle},
            textRenderer: {
                defaultStyle: {
                    fontFamily: getComputedStyle(document.body).fontFamily,
                    fontSize: 12,
                },
            },
        };
        options.additionalModules = readonly ? [TranslateModule]
            : [EgovModule];
        modeler = new window.BpmnJS(options);
        window.egovModeler = modeler;
        try {
            const result = await modeler.importXML(process.bpmn);
            if (result.warnings && result.warnings.length) {
                console.warn(result.warnings);
            }
        } catch (error) {
            P.notice(P.format(TEXT.loadFailed, {error: error.message || ''}),
                'error');
            return;
        }
        modeler.get('canvas').zoom('fit-viewport', 'auto');
        renderProperties(null);
        const eventBus = modeler.get('eventBus');
        eventBus.on('selection.changed', function (event) {
            const selection = event.newSelection;
            renderProperties(selection.length === 1 ? selection[0] : null);
        });
        eventBus.on('elements.changed', function () {
            const selection = modeler.get('selection').get();
            renderProperties(selection.length === 1 ? selection[0] : null);
        });
        if (!readonly) {
            eventBus.on('commandStack.changed', function () {
                setDirty(true);
            });
        }
        P.bindSave(save, function () {
            return dirty;
        }, TEXT.unsaved, readonly);
        document.getElementById('fit').addEventListener('click', function () {
            modeler.get('canvas').zoom('fit-viewport', 'auto');
        });
        body.dataset.ready = '1';
    }

    start();
}());
