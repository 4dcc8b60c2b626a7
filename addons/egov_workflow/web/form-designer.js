/* Form designer: form-js's editor on egov.workflow.form.schema, with a
 * preview. The server keeps the fields of the form in step with the schema
 * and refuses a field key that is not a plain name. */
(function () {
    'use strict';
    const P = EgovPage;

    const T = P.t;
    const TEXT = P.texts({
        title: 'form_designer_title',
        titleRecord: 'form_designer_title_record',
        saved: 'form_designer_saved',
        saving: 'form_designer_saving',
        refused: 'form_designer_refused',
        loadFailed: 'form_designer_load_failed',
        readonly: 'form_designer_readonly',
        unsaved: 'form_designer_unsaved',
        badSchema: 'form_designer_bad_schema',
        newOption: 'form_designer_new_option',
        newDateLabel: 'form_designer_new_date_label',
        newText: 'form_designer_new_text',
    });
    // The components the platform keeps values of (see form.py), and the
    // layout ones; their names in the palette and the label of a new one
    const TYPES = {
        textfield: [T('form_designer_type_textfield'),
            T('form_designer_type_textfield')],
        textarea: [T('form_designer_type_textarea'),
            T('form_designer_type_textarea')],
        number: [T('form_designer_type_number'),
            T('form_designer_type_number')],
        datetime: [T('form_designer_type_datetime'), null],
        checkbox: [T('form_designer_type_checkbox'),
            T('form_designer_type_checkbox')],
        select: [T('form_designer_type_select'),
            T('form_designer_type_select')],
        radio: [T('form_designer_type_radio'), T('form_designer_type_radio')],
        checklist: [T('form_designer_type_checklist'),
            T('form_designer_type_checklist')],
        taglist: [T('form_designer_type_taglist'),
            T('form_designer_type_taglist')],
        group: [T('form_designer_type_group'), T('form_designer_type_group')],
        text: [T('form_designer_type_text'), null],
        spacer: [T('form_designer_type_spacer'), null],
        separator: [T('form_designer_type_separator'), null],
    };
    // What form-js's editor shows (it has no translation of its own):
    // palette, properties panel, messages; its English strings, translated
    // (messages msg_page_form_designer_lib_…)
    const TRANSLATIONS = P.translations;
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
        const translated = TRANSLATIONS[text];
        if (translated !== undefined) {
            node.data = node.data.replace(text, translated);
        } else {
            missing.add(text);
        }
    }

    function translateElement(element) {
        ATTRIBUTES.forEach(function (name) {
            const value = element.getAttribute(name);
            if (value && TRANSLATIONS[value.trim()] !== undefined) {
                element.setAttribute(name, TRANSLATIONS[value.trim()]);
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

    // Only the components the platform knows, with the page's names
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
                                ? {label: P.format(TEXT.newOption,
                                    {number: i + 1}), value: v.value}
                                : v;
                        });
                    }
                    if (result.dateLabel === 'Date') {
                        result.dateLabel = TEXT.newDateLabel;
                    }
                    if (type === 'text' && result.text) {
                        result.text = TEXT.newText;
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
            P.notice(P.format(TEXT.loadFailed, {error: P.errorText(error)}),
                'error');
            return;
        }
        document.getElementById('title').textContent = P.format(
            TEXT.titleRecord, {name: form.rec_name});
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
            P.notice(P.format(TEXT.loadFailed, {error: error.message || ''}),
                'error');
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
