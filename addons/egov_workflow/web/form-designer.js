/* Form designer: form-js's editor on egov.workflow.form.schema, with a
 * preview. The server keeps the fields of the form in step with the schema
 * and refuses a field key that is not a plain name. */
(function () {
    'use strict';
    const P = EgovPage;

    const TEXT = {
        title: '表单设计器',
        saved: '已保存。表单的字段已按设计更新。',
        saving: '正在保存…',
        refused: '表单未保存：',
        loadFailed: '表单无法打开：',
        readonly: '您没有修改此表单的权限，只能查看。',
        unsaved: '表单有未保存的修改，确定要离开吗？',
        badSchema: '表单内容无法识别，已按空表单打开。',
    };
    // The components the platform keeps values of (see form.py), and the
    // layout ones; their names in the palette and the label of a new one
    const TYPES = {
        textfield: ['单行文本', '单行文本'],
        textarea: ['多行文本', '多行文本'],
        number: ['数字', '数字'],
        datetime: ['日期', null],
        checkbox: ['勾选框', '勾选框'],
        select: ['下拉选择', '下拉选择'],
        radio: ['单选', '单选'],
        checklist: ['多选', '多选'],
        taglist: ['标签多选', '标签多选'],
        group: ['分组', '分组'],
        text: ['说明文字', null],
        spacer: ['空白', null],
        separator: ['分隔线', null],
    };
    // What form-js's editor shows, in Chinese (it has no translation of
    // its own): palette, properties panel, messages
    const ZH = {
        'Components': '组件',
        'Search components': '搜索组件',
        'No components found.': '没有找到组件。',
        'Input': '输入',
        'Selection': '选择',
        'Presentation': '展示',
        'Containers': '容器',
        'Action': '操作',
        'Clear content': '清除',
        'Build your form': '设计表单',
        'Drag and drop components here to start designing.':
            '把左侧的组件拖到这里开始设计。',
        'Use the preview window to test your form.': '在预览中试填表单。',
        'Drop components here': '把组件拖到这里',
        'Select a form field to edit its properties.':
            '选择表单中的组件以编辑其属性。',
        'Select a form field': '请选择一个组件',
        'Multiple form fields are selected. Select a single form field to edit its properties.':
            '选中了多个组件，请只选择一个以编辑其属性。',
        'General': '常规',
        'Field label': '字段标签',
        'Label': '标签',
        'Key': '字段标识',
        'Binds to a form variable': '对应表单变量',
        'Use a unique "key" to link the form element and the related input/output data. When dealing with nested data, break it down in the user task\'s input mapping before using it.':
            '字段标识是数据中的名称，只能使用英文字母、数字和下划线。',
        'Must not be empty.': '不能为空。',
        'Must be unique.': '不能与其他字段重复。',
        'Must not contain spaces.': '不能包含空格。',
        'Must be a variable or a dot separated path.':
            '只能是变量名（字母、数字、下划线）。',
        'Must not conflict with other key/path assignments.':
            '不能与其他字段标识冲突。',
        'Field description': '字段说明',
        'Description': '说明',
        'Default value': '默认值',
        'Disabled': '禁用',
        'Read only': '只读',
        'Readonly': '只读',
        'Hidden': '隐藏',
        'ID': '组件编号',
        'Text': '文字',
        'Validation': '校验',
        'Required': '必填',
        'Minimum': '最小值',
        'Maximum': '最大值',
        'Minimum length': '最短长度',
        'Maximum length': '最大长度',
        'Regular expression pattern': '正则表达式',
        'Validation pattern': '校验格式',
        'Custom': '自定义',
        'Custom regular expression': '自定义正则表达式',
        'Custom error message': '自定义错误提示',
        'Email': '电子邮箱',
        'Phone': '电话',
        'Options': '选项',
        'Options source': '选项来源',
        'Static': '固定选项',
        'Input data': '输入数据',
        'Expression': '表达式',
        'Static options': '固定选项',
        'Value': '值',
        'Add': '添加',
        'Delete': '删除',
        'Remove': '删除',
        'Move up': '上移',
        'Move down': '下移',
        'Appearance': '外观',
        'Prefix': '前缀',
        'Suffix': '后缀',
        'Layout': '布局',
        'Columns': '列宽',
        'Auto': '自动',
        'Conditional': '显示条件',
        'Hide if': '隐藏条件',
        'Serialization': '数值格式',
        'Output as string': '以文本输出',
        'Decimal digits': '小数位数',
        'Increment': '步长',
        'Subtype': '类型',
        'Date': '日期',
        'Time': '时间',
        'Date & Time': '日期和时间',
        'Date label': '日期标签',
        'Time label': '时间标签',
        'Disallow past dates': '不允许过去的日期',
        'Time format': '时间格式',
        'Time interval': '时间间隔',
        'Use 24h': '24 小时制',
        'Constraints': '限制',
        'Searchable': '可搜索',
        'Rows': '行数',
        'Auto resize': '自动调整高度',
        'Height': '高度',
        'Show outline': '显示边框',
        'Group label': '分组标题',
        'Path': '路径',
        'Security attributes': '安全属性',
        'Custom properties': '自定义属性',
        'Create': '新建',
        'Text field': '单行文本',
        'Text area': '多行文本',
        'Number': '数字',
        'Date time': '日期',
        'Checkbox': '勾选框',
        'Select': '请选择',
        'Radio group': '单选',
        'Checkbox group': '多选',
        'Tag list': '标签多选',
        'Group': '分组',
        'Text view': '说明文字',
        'Spacer': '空白',
        'Separator': '分隔线',
        'Form': '表单',
        'Default': '表单',
        'Copy': '复制',
        'Remove Form Field': '删除组件',
        'Remove': '删除',
        'Execution Platform': '执行平台',
        'Version': '版本',
        'Toggle section': '展开/折叠',
        'Section contains an error': '此部分有错误',
        'Section contains edits': '此部分已修改',
        'Open documentation': '打开文档',
        '<empty>': '（空）',
        'Toggle list item': '展开/折叠',
        'Content': '内容',
        'Text content': '文字内容',
        'Supports markdown and templating.': '支持 Markdown 格式。',
        'Select value': '请选择',
        'Search': '搜索',
        'Drag and drop components here': '把组件拖到这里',
        'Form definition': '表单定义',
        'Empty': '空',
        'Value must be a number.': '必须是数字。',
        'Should be greater than zero.': '必须大于零。',
        'Should be an integer.': '必须是整数。',
        'Field is required.': '此项必填。',
        'Field must have minimum value of {min}.': '不能小于 {min}。',
        'Yes': '是',
        'No': '否',
        'None': '无',
        'Static value': '固定值',
        'Checked': '勾选',
        'Not checked': '不勾选',
        'Checked by default': '默认勾选',
        'Description text': '说明文字',
        'Field label text': '标签文字',
        'Options source ': '选项来源',
        'Dynamic options': '动态选项',
        'Condition': '条件',
        'Condition under which the field is hidden': '满足此条件时隐藏该字段',
        'Version tag': '版本标签',
        'Must not contain numerical path segments.': '不能包含纯数字的部分。',
        'Must be a variable or a dot-separated path': '只能是变量名。',
        'Must be empty, a variable or a dot-separated path': '只能为空或变量名。',
        '<none>': '（无）',
        'Type': '类型',
        'Allows arbitrary precision values': '允许任意精度的数值',
        'January': '一月', 'February': '二月', 'March': '三月',
        'April': '四月', 'May': '五月', 'June': '六月', 'July': '七月',
        'August': '八月', 'September': '九月', 'October': '十月',
        'November': '十一月', 'December': '十二月',
        'Sun': '日', 'Mon': '一', 'Tue': '二', 'Wed': '三', 'Thu': '四',
        'Fri': '五', 'Sat': '六',
    };
    const missing = new Set();
    window.egovMissingTranslations = missing;
    const ATTRIBUTES = ['title', 'placeholder', 'aria-label'];
    let editor = null;
    let timestamp = null;
    let dirty = false;
    const readonly = P.readonly;

    // Translate the texts form-js renders, not those the designer typed:
    // the labels, descriptions and text of the form's components
    const USER_TEXT = '.fjs-form-field-label, .fjs-form-field-description,'
        + ' .fjs-form-field-text, .fjs-form-field-grouplist > label,'
        + ' .fjs-select-display:not(.fjs-select-placeholder),'
        + ' .fjs-taglist-tag-label, .fjs-properties-panel'
        + ' input, [contenteditable]';

    function userText(node) {
        const parent = node.nodeType === Node.TEXT_NODE
            ? node.parentElement : node;
        return Boolean(parent && parent.closest(USER_TEXT));
    }

    function translateText(node) {
        const text = node.data.trim();
        if (!text || !/[A-Za-z]/.test(text) || /[\u4e00-\u9fff]/.test(text)
                || userText(node)) {
            return;
        }
        const chinese = ZH[text];
        if (chinese !== undefined) {
            node.data = node.data.replace(text, chinese);
        } else {
            missing.add(text);
        }
    }

    function translateElement(element) {
        ATTRIBUTES.forEach(function (name) {
            const value = element.getAttribute(name);
            if (value && ZH[value.trim()] !== undefined) {
                element.setAttribute(name, ZH[value.trim()]);
            }
        });
    }

    function translateTree(root) {
        if (root.nodeType === Node.TEXT_NODE) {
            translateText(root);
            return;
        }
        if (root.nodeType !== Node.ELEMENT_NODE) {
            return;
        }
        translateElement(root);
        root.querySelectorAll('[title], [placeholder], [aria-label]')
            .forEach(translateElement);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
            translateText(node);
        }
    }

    function translateLive(root) {
        translateTree(root);
        new MutationObserver(function (mutations) {
            mutations.forEach(function (mutation) {
                if (mutation.type === 'characterData') {
                    translateText(mutation.target);
                } else if (mutation.type === 'attributes') {
                    translateElement(mutation.target);
                } else {
                    mutation.addedNodes.forEach(translateTree);
                }
            });
        }).observe(root, {
            childList: true, subtree: true, characterData: true,
            attributes: true, attributeFilter: ATTRIBUTES,
        });
    }

    // Only the components the platform knows, with Chinese names
    function EgovFormFields(formFields) {
        Object.keys(formFields._formFields).forEach(function (type) {
            if (type === 'default') {
                return;
            }
            const names = TYPES[type];
            if (!names) {
                delete formFields._formFields[type];
                return;
            }
            const field = formFields._formFields[type];
            const config = Object.assign({}, field.config);
            const create = config.create || function (options) {
                return options;
            };
            config.name = names[0];
            if (config.label !== undefined) {
                config.label = names[0];
            }
            config.create = function (options, isNewField) {
                const result = create(options, isNewField);
                if (isNewField) {
                    if (names[1] && result.label !== undefined) {
                        result.label = names[1];
                    }
                    if (Array.isArray(result.values)) {
                        result.values = result.values.map(function (v, i) {
                            return v.label === 'Value'
                                ? {label: '选项' + (i + 1), value: v.value}
                                : v;
                        });
                    }
                    if (result.dateLabel === 'Date') {
                        result.dateLabel = '日期';
                    }
                    if (type === 'text' && result.text) {
                        result.text = '说明文字';
                    }
                }
                return result;
            };
            field.config = config;
        });
    }
    EgovFormFields.$inject = ['formFields'];
    const EgovModule = {
        __init__: ['egovFormFields'],
        egovFormFields: ['type', EgovFormFields],
    };

    function setDirty(value) {
        dirty = value;
        document.getElementById('dirty').hidden = !value;
    }

    function schema() {
        return editor.saveSchema();
    }

    async function save() {
        if (readonly || !editor) {
            return;
        }
        const button = document.getElementById('save');
        button.disabled = true;
        P.notice(TEXT.saving, 'info');
        try {
            timestamp = await P.writeChecked('egov.workflow.form',
                P.recordId, timestamp, {
                    schema: JSON.stringify(schema(), null, 1)});
            setDirty(false);
            P.notice(TEXT.saved, 'success');
        } catch (error) {
            P.notice(TEXT.refused + '\n' + P.errorText(error), 'error');
        } finally {
            button.disabled = false;
        }
    }

    let viewer = null;

    async function preview(show) {
        document.getElementById('tab-design').setAttribute(
            'aria-selected', String(!show));
        document.getElementById('tab-preview').setAttribute(
            'aria-selected', String(show));
        document.getElementById('editor').hidden = show;
        document.getElementById('preview').hidden = !show;
        if (!show || !editor) {
            return;
        }
        const container = document.getElementById('preview-form');
        if (viewer) {
            viewer.destroy();
        }
        container.replaceChildren();
        viewer = new window.FormViewer.Form({container: container});
        await viewer.importSchema(schema(), {});
        translateTree(container);
    }

    async function start() {
        if (readonly) {
            document.body.classList.add('egov-readonly');
            P.notice(TEXT.readonly, 'warning');
        }
        let form;
        try {
            form = (await P.model('egov.workflow.form', 'read', [P.recordId],
                ['rec_name', 'schema', '_timestamp']))[0];
            timestamp = form._timestamp;
        } catch (error) {
            P.notice(TEXT.loadFailed + P.errorText(error), 'error');
            return;
        }
        document.getElementById('title').textContent =
            TEXT.title + '：' + form.rec_name;
        document.title = form.rec_name + ' - ' + TEXT.title;
        let value = {type: 'default', components: []};
        if (form.schema) {
            try {
                value = JSON.parse(form.schema);
            } catch (error) {
                P.notice(TEXT.badSchema, 'warning');
            }
        }
        const container = document.getElementById('editor');
        container.replaceChildren();
        translateLive(document.body);
        editor = new window.FormEditor.FormEditor({
            container: container,
            additionalModules: [EgovModule],
        });
        window.egovFormEditor = editor;
        try {
            await editor.importSchema(value);
        } catch (error) {
            P.notice(TEXT.loadFailed + (error.message || ''), 'error');
            return;
        }
        editor.on('changed', function () {
            setDirty(true);
        });
        P.bindSave(save, function () {
            return dirty;
        }, TEXT.unsaved, readonly);
        document.getElementById('tab-design').addEventListener(
            'click', function () {
                preview(false);
            });
        document.getElementById('tab-preview').addEventListener(
            'click', function () {
                preview(true).catch(P.showError);
            });
        document.body.dataset.ready = '1';
    }

    start();
}());
