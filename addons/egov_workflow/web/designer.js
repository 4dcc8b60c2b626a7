/* Process designer: bpmn-js with the platform's attributes of the steps
 * (办理人规则, 办理时限, 会签方式, 表单字段规则) and the conditions of the
 * flows, saved into egov.workflow.process.bpmn (checked by the server). */
(function () {
    'use strict';
    const P = EgovPage;
    const EGOV = 'http://yichun.gov.cn/schema/egov/bpmn';

    // What bpmn-js shows, in Chinese: palette, context pad, popup menus
    const ZH = {
        'Activate hand tool': '抓手工具（拖动画布）',
        'Activate lasso tool': '套索工具（框选元素）',
        'Activate create/remove space tool': '空间工具（插入或移除空白）',
        'Activate global connect tool': '连线工具',
        'Create start event': '开始',
        'Create end event': '结束',
        'Create gateway': '分支（网关）',
        'Create user task': '办理环节（用户任务）',
        'Create task': '任务',
        'Create intermediate/boundary event': '中间事件',
        'Create expanded sub-process': '子流程',
        'Create pool/participant': '泳池/参与者',
        'Create data object reference': '数据对象',
        'Create data store reference': '数据存储',
        'Create group': '分组',
        'Append end event': '追加结束',
        'Append gateway': '追加分支（网关）',
        'Append task': '追加任务',
        'Append user task': '追加办理环节',
        'Append intermediate/boundary event': '追加中间事件',
        'Add text annotation': '添加注释',
        'Change element': '更改类型',
        'Delete': '删除',
        'Connect to other element': '连线到其他元素',
        'Connect using association': '用关联连线',
        'Connect using data input association': '用数据输入关联连线',
        'Align elements': '对齐',
        'Align elements left': '左对齐',
        'Align elements right': '右对齐',
        'Align elements center': '水平居中对齐',
        'Align elements top': '顶端对齐',
        'Align elements bottom': '底端对齐',
        'Align elements middle': '垂直居中对齐',
        'Distribute elements horizontally': '水平等距分布',
        'Distribute elements vertically': '垂直等距分布',
        'Search in diagram': '在流程图中搜索',
        'Parallel multi-instance': '并行多实例（会签）',
        'Sequential multi-instance': '顺序多实例',
        'Loop': '循环',
        'Toggle non-interrupting': '切换非中断',
        'Open {element}': '打开 {element}',
        'Task': '任务',
        'User task': '办理环节（用户任务）',
        'Start event': '开始',
        'End event': '结束',
        'Terminate end event': '终止结束',
        'Exclusive gateway': '排他分支（条件选择一条）',
        'Parallel gateway': '并行分支（同时进行）',
        'Inclusive gateway': '包容分支（满足条件的都进行）',
        'Service task': '服务任务',
        'Send task': '发送任务',
        'Receive task': '接收任务',
        'Manual task': '手工任务',
        'Business rule task': '业务规则任务',
        'Script task': '脚本任务',
        'Call activity': '调用活动',
        'Sub-process': '子流程',
        'Sub-process (collapsed)': '子流程（折叠）',
        'Sub-process (expanded)': '子流程（展开）',
        'Ad-hoc sub-process': '自由子流程',
        'Ad-hoc sub-process (collapsed)': '自由子流程（折叠）',
        'Ad-hoc sub-process (expanded)': '自由子流程（展开）',
        'Event sub-process': '事件子流程',
        'Transaction': '事务',
        'Intermediate throw event': '中间抛出事件',
        'Boundary event': '边界事件',
        'Message start event': '消息开始事件',
        'Timer start event': '定时开始事件',
        'Conditional start event': '条件开始事件',
        'Signal start event': '信号开始事件',
        'Error start event': '错误开始事件',
        'Escalation start event': '升级开始事件',
        'Compensation start event': '补偿开始事件',
        'Message start event (non-interrupting)': '消息开始事件（非中断）',
        'Timer start event (non-interrupting)': '定时开始事件（非中断）',
        'Conditional start event (non-interrupting)': '条件开始事件（非中断）',
        'Signal start event (non-interrupting)': '信号开始事件（非中断）',
        'Escalation start event (non-interrupting)': '升级开始事件（非中断）',
        'Message intermediate catch event': '消息中间捕获事件',
        'Message intermediate throw event': '消息中间抛出事件',
        'Timer intermediate catch event': '定时中间捕获事件',
        'Escalation intermediate throw event': '升级中间抛出事件',
        'Conditional intermediate catch event': '条件中间捕获事件',
        'Link intermediate catch event': '链接中间捕获事件',
        'Link intermediate throw event': '链接中间抛出事件',
        'Compensation intermediate throw event': '补偿中间抛出事件',
        'Signal intermediate catch event': '信号中间捕获事件',
        'Signal intermediate throw event': '信号中间抛出事件',
        'Message end event': '消息结束事件',
        'Escalation end event': '升级结束事件',
        'Error end event': '错误结束事件',
        'Cancel end event': '取消结束事件',
        'Compensation end event': '补偿结束事件',
        'Signal end event': '信号结束事件',
        'Message boundary event': '消息边界事件',
        'Timer boundary event': '定时边界事件',
        'Escalation boundary event': '升级边界事件',
        'Conditional boundary event': '条件边界事件',
        'Error boundary event': '错误边界事件',
        'Cancel boundary event': '取消边界事件',
        'Signal boundary event': '信号边界事件',
        'Compensation boundary event': '补偿边界事件',
        'Message boundary event (non-interrupting)': '消息边界事件（非中断）',
        'Timer boundary event (non-interrupting)': '定时边界事件（非中断）',
        'Escalation boundary event (non-interrupting)': '升级边界事件（非中断）',
        'Conditional boundary event (non-interrupting)': '条件边界事件（非中断）',
        'Signal boundary event (non-interrupting)': '信号边界事件（非中断）',
        'Complex gateway': '复杂网关',
        'Event-based gateway': '事件网关',
        'Event based instantiating Gateway': '事件启动网关',
        'Parallel Event based instantiating Gateway': '并行事件启动网关',
        'Data object reference': '数据对象',
        'Data store reference': '数据存储',
        'Collection': '集合',
        'Empty pool/participant': '空泳池',
        'Expanded pool/participant': '泳池（展开）',
        'Participant multiplicity': '多参与者',
        'Add lane above': '在上方添加泳道',
        'Add lane below': '在下方添加泳道',
        'Divide into two lanes': '分为两条泳道',
        'Divide into three lanes': '分为三条泳道',
        'Append compensation activity': '追加补偿活动',
        'Append receive task': '追加接收任务',
        'Append message intermediate catch event': '追加消息中间事件',
        'Append timer intermediate catch event': '追加定时中间事件',
        'Append conditional intermediate catch event': '追加条件中间事件',
        'Append signal intermediate catch event': '追加信号中间事件',
        'Sequence flow': '普通流转',
        'Default flow': '默认流转',
        'Conditional flow': '条件流转',
        'no parent for {element} in {parent}': '{element} 不能放在 {parent} 中',
        'no shape type specified': '未指定图形类型',
        'flow elements must be children of pools/participants':
            '流程元素必须位于泳池中',
        'Data object must be placed within a pool/participant.':
            '数据对象必须位于泳池中',
        'out of bounds release': '超出范围',
        'more than {count} child lanes': '超过 {count} 个子泳道',
        'element required': '需要元素',
        'diagram not part of bpmn:Definitions': '流程图不在 bpmn:Definitions 中',
        'no diagram to display': '没有可显示的流程图',
        'no process or collaboration to display': '没有可显示的流程',
        'element {element} referenced by {referenced}#{property} not yet drawn':
            '元素 {element} 尚未绘制',
        'unknown di {di} for element {semantic}': '元素 {semantic} 的图形信息 {di} 无法识别',
        'missing {semantic}#attachedToRef': '{semantic} 缺少附着对象',
        'failed to import {element}': '无法导入 {element}',
    };
    // Strings bpmn-js asked for that have no Chinese yet (for the tests)
    const missing = new Set();
    window.egovMissingTranslations = missing;

    function translate(template, replacements) {
        replacements = replacements || {};
        let text = ZH[template];
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
    const TEXT = {
        title: '流程设计器',
        states: {draft: '草稿', active: '已启用', retired: '已停用'},
        readonly: {
            active: '已启用的版本不能修改，请新建版本。',
            retired: '已停用的版本不能修改，请新建版本。',
            access: '您没有修改此流程的权限，只能查看。',
        },
        saved: '已保存。',
        saving: '正在保存…',
        refused: '流程图未保存：',
        loadFailed: '流程图无法打开：',
        unsaved: '流程图有未保存的修改，确定要离开吗？',
        properties: '属性',
        nothing: '点击流程图中的元素查看并修改其属性。',
        process: '流程',
        processName: '流程名称',
        processId: '流程标识',
        element: '元素',
        elementId: '标识',
        name: '名称',
        kinds: {
            'bpmn:UserTask': '办理环节',
            'bpmn:Task': '任务（无人办理，请改为办理环节）',
            'bpmn:StartEvent': '开始',
            'bpmn:EndEvent': '结束',
            'bpmn:ExclusiveGateway': '排他分支',
            'bpmn:ParallelGateway': '并行分支',
            'bpmn:InclusiveGateway': '包容分支',
            'bpmn:SequenceFlow': '流转',
            'bpmn:TextAnnotation': '注释',
        },
        assignee: '办理人规则',
        assigneeHelp: '此环节的待办交给谁。必填。',
        ruleText: '规则原文',
        argument: '参数',
        deadline: '办理时限（工作日）',
        deadlineHelp: '留空表示不限时；1 至 365 个工作日，节假日不计。',
        multi: '多人分别办理（会签/分发）',
        multiHelp: '勾选后每位办理人（或表单所列的每个单位）各有一份待办；'
            + '不勾选时，任一办理人办理即可。',
        mode: '会签方式',
        modes: {
            all: '全部同意才通过',
            any: '任一人同意即通过',
            n: '指定人数同意即通过',
        },
        modeCount: '同意人数',
        fields: '表单字段规则',
        fieldsHelp: '此环节中各表单字段能否查看、修改或必须填写。未设置的字段只读。',
        fieldName: '字段',
        fieldAccess: '此环节',
        access: {
            '': '（未设置）',
            hidden: '隐藏',
            read: '只读',
            edit: '可修改',
            required: '必填',
        },
        addField: '添加字段',
        addFieldPrompt: '字段标识（英文字母、数字或下划线）',
        condition: '流转条件',
        conditionHelp: '表单字段的表达式，例如：days > 3、urgency == "特急"。'
            + '只能比较和计算，不能调用程序。',
        isDefault: '默认流转（其他条件都不满足时走这条）',
        defaultHelp: '排他分支和包容分支应有一条默认流转。',
        needAssignee: '请选择办理人规则',
        badDeadline: '办理时限应为 1 至 365 的整数',
        badField: '字段标识只能包含字母、数字和下划线，且不能以数字开头',
    };
    const RULES = [
        {kind: 'initiator', label: '发起人本人', args: []},
        {kind: 'head:initiator', label: '发起人所在部门的负责人', args: []},
        {kind: 'head:unit', label: '发起人所在单位的负责人', args: []},
        {kind: 'leader:initiator', label: '发起人单位的分管领导', args: []},
        {kind: 'post', label: '发起人单位中某岗位的人员',
            args: [{label: '岗位名称', placeholder: '例如：收发员', list: 'egov-posts'}]},
        {kind: 'user', label: '指定人员',
            args: [{label: '登录名', placeholder: '例如：zhangwei'}]},
        {kind: 'role', label: '发起人单位中具有某角色的人员',
            args: [{label: '角色', placeholder: '例如：egov_base.group_org_admin', list: 'egov-roles'}]},
        {kind: 'field', label: '表单中选定的人员（每人一份）',
            args: [{label: '表单字段', list: 'egov-fields'}]},
        {kind: 'heads', label: '表单所列各单位的负责人（每单位一份）',
            args: [{label: '表单字段', list: 'egov-unit-fields'}]},
        {kind: 'units', label: '表单所列各单位的某岗位（分发，每单位一份）',
            args: [{label: '表单字段', list: 'egov-unit-fields'},
                {label: '岗位名称', placeholder: '例如：收发员', list: 'egov-posts'}]},
    ];
    // The roles of the platform's posts (module.group), for role:…
    const ROLES = [
        ['egov_base.group_org_admin', '组织机构管理员(县区)'],
        ['egov_base.group_org_admin_city', '组织机构管理员(市级)'],
        ['egov_base.group_app_admin', '应用管理员'],
        ['egov_workflow.group_workflow_admin', '流程管理员(县区)'],
        ['egov_workflow.group_workflow_admin_city', '流程管理员(市级)'],
        ['egov_workflow.group_approval', '审批'],
        ['egov_base.group_directory', '通讯录'],
    ];
    const POSTS = ['收发员', '文书', '负责人', '主要负责人', '副职', '工作人员',
        '系统管理员'];
    // The unit lists and title of approval requests (egov.workflow.request)
    const REQUEST_FIELDS = [
        ['title', '标题'],
        ['cosign_units', '会签单位'],
        ['recipients', '主送单位'],
        ['handlers', '承办部门'],
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
        const choices = [['', '（请选择）']].concat(RULES.map(function (r) {
            return [r.kind, r.label];
        }));
        if (current.kind === 'other') {
            choices.push(['other', '其他（按规则原文）']);
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
                TEXT.ruleText + '：' + text));
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
        const names = Array.from(message.matchAll(/「([^」]+)」/g),
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
            P.notice(TEXT.loadFailed + P.errorText(error), 'error');
            return;
        }
        document.getElementById('title').textContent =
            TEXT.title + '：' + process.rec_name;
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
            P.notice(TEXT.loadFailed + (error.message || ''), 'error');
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
