// Loaded by the Tryton web client (sao) after its own code.
Sao.config.title = '宜春市智慧办公平台';
document.title = Sao.config.title;
// Complete sao's Chinese translation (tryton-sao 8.0.11).
// Sao.i18n.setlang() loads locale/zh_CN.json asynchronously and hands it to
// Sao.i18n.loadJSON(), which REPLACES the whole zh-CN dictionary of
// gettext.js; so strings cannot simply be added once at load time.  Instead
// loadJSON is wrapped: the strings below are merged into the data of
// zh_CN.json every time sao loads it (at start and after login).
(function() {
    'use strict';
    var ZH_CN = {
        // Missing in sao's zh_CN.po (empty or fuzzy, so sao shows English)
        "Check menu entries to add favorites": "勾选菜单项即可添加到收藏",
        "Add to favorites": "添加到收藏",
        "Remove from favorites": "从收藏中移除",
        "Email": "邮件",
        "Error: \"%1\". Try again later.": "错误：“%1”。请稍后重试。",
        "Send you an email to reset your password.": "向您发送一封用于重置密码的邮件。",
        "Reset forgotten password": "忘记密码",
        "A request to reset your password has been sent.\nPlease check your mailbox.":
            "重置密码的请求已发送。\n请查收邮件。",
        "Concurrency Warning": "并发修改警告",
        "Details": "详细信息",
        "Chat": "聊天",
        "Chat on the record": "就当前记录进行聊天",
        "Email...": "发送邮件...",
        "Send an email using the record": "使用当前记录发送邮件",
        "Select a color for \"%1\"": "为“%1”选择颜色",
        "Restore": "恢复",
        "Copy Selected Rows": "复制所选行",
        "Reset Column Widths": "重置列宽",
        "Failed to copy text to clipboard: %1": "复制到剪贴板失败：%1",
        "Module:": "模块：",
        "XML ID:": "XML 标识：",
        "Email %1": "发送邮件：%1",
        "Add a follower": "添加关注者",
        "Subscribe a follower to this channel": "为此频道添加关注者",
        "Show followers": "显示关注者",
        "Unsubscribe": "取消关注",
        "Subscribe": "关注",
        "Are you sure to unsubscribe \"%1\" from this channel?": "确定要让“%1”取消关注此频道吗？",
        "Enter a message": "输入消息",
        "Submit the message": "发送消息",
        "Make this an internal message": "设为内部消息",
        "No notifications at this time": "暂无通知",
        "All Notifications...": "全部通知...",
        "Preferences...": "偏好设置...",
        "Preferences": "偏好设置",
        "Help...": "帮助...",
        // Translated in zh_CN.po but wrong: "%s" instead of "%1" (shown
        // literally), leftover GTK mnemonics "(_X)", English, wrong meaning
        "Notes (%1)": "备注 (%1)",
        "CSV Import: %1": "CSV 导入：%1",
        "CSV Export: %1": "CSV 导出：%1",
        "Favorites": "收藏",
        "Previous tab": "上一个标签页",
        "Next tab": "下一个标签页",
        "Reports": "报表",
        "By: ": "操作人：",
        "Justify Left": "左对齐",
        "Clear the field": "清空字段",
        "Undelete": "撤销删除",
        "Add a note to the record": "为当前记录添加备注",
        "You need to save the record before adding translations.": "请先保存记录，再添加翻译。",
        "Working now on the duplicated record(s).": "当前正在编辑复制出的记录。",
        "Bcc:": "密送：",
        "Report Bug": "报告问题",
        "Use locale format": "使用本地格式",
        "URL Export": "网址导出",
        "Login with": "使用以下方式登录",
        "Not found.": "未找到请求的资源。",
        "Code Scanner": "扫码器",
        // Half-width punctuation in sao's zh_CN.po ("记录保存成功."):
        // Chinese takes full-width punctuation
        "Could not connect to the server.": "无法连接服务器。",
        "Unable to reach the server.": "无法连接服务器。",
        "Too many requests. Try again later.": "请求过多，请稍后重试。",
        "Your selection:": "已选择：",
        "Always ignore this warning.": "以后不再提示。",
        "Do you want to proceed?": "是否继续？",
        "This record has been modified while you were editing it.":
            "您编辑期间，这条记录已被他人修改。",
        "\"Cancel\" to cancel saving;": "“取消”：不保存；",
        "\"Compare\" to see the modified version;": "“对比”：查看他人修改后的内容；",
        "\"Write Anyway\" to save your current version.": "“覆写”：保存您当前的内容。",
        "Compare: %1": "对比：%1",
        "Create \"%1\"...": "新建“%1”...",
        "The following action requires to close all tabs.\nDo you want to continue?":
            "此操作需要关闭所有标签页。\n是否继续？",
        "Record saved.": "记录保存成功。",
        "Records removed.": "记录已删除。",
        "Records not removed.": "所选记录未删除。",
        "You have to select one record.": "请选择一条记录。",
        "Bookmark Name:": "书签名称：",
        "\"%1\" is required.": "“%1”是必填项。",
        "\"%1\" is not valid according to its domain.": "“%1”的取值不符合要求。",
        "The values of \"%1\" are not valid.": "“%1”的取值无效。",
        "No other language available.": "没有其他可翻译的语言。",
        "Model:": "模型：",
        "ID:": "标识：",
        "Created by:": "创建人：",
        "Created at:": "创建时间：",
        "Last Modified by:": "最后修改人：",
        "Last Modified at:": "最后修改时间：",
        "Delimiter:": "分隔符：",
        "Quote Char:": "引号字符：",
        "Encoding:": "编码：",
        "Lines to Skip:": "跳过行数：",
        "You must select an import file first.": "请先选择要导入的文件。",
        "Unknown column header \"%1\"": "未知的列标题“%1”",
        "Export:": "导出：",
        "What is the name of this export?": "请输入此导出设置的名称：",
        "Override %1 definition?": "覆盖“%1”的定义？",
        "To:": "收件人：",
        "Cc:": "抄送：",
        "Subject:": "主题：",
        // Separators sao puts between a label and its value (a list's cell
        // on the phone: "名称：…") and between the values of a list
        ": ": "：",
        ":": "：",
        ", ": "、",
        // Plural messages: zh_CN.json holds one form, which setlang() turns
        // into a plain string that gettext.js ignores for ngettext (it wants
        // a list of forms), so sao shows "3 records saved" in English
        "%1 record imported": ["已导入 %1 条记录"],
        "%1 record saved": ["已保存 %1 条记录"],
    };
    var loadJSON = Sao.i18n.loadJSON;
    Sao.i18n.loadJSON = function(data, domain) {
        var header = data && data[''];
        if (header && String(header.language).replace('-', '_') == 'zh_CN') {
            for (var msgid in ZH_CN) {
                data[msgid] = ZH_CN[msgid];
            }
        }
        return loadJSON.call(this, data, domain);
    };
})();

// sao opens its preferences dialog with an untranslated title
// (new Sao.Dialog('Preferences', …)): translate every dialog title.
(function() {
    'use strict';
    var init = Sao.Dialog.prototype.init;
    Sao.Dialog.prototype.init = function(title) {
        var args = Array.prototype.slice.call(arguments);
        if (title) {
            args[0] = Sao.i18n.gettext(title);
        }
        // The login says which platform it is, not sao's version
        // (new Sao.Dialog("Login", 'login-dialog', 'md', true, '8.0.11'))
        if (args[1] == 'login-dialog') {
            args[0] = Sao.config.title;
            args[4] = Sao.i18n.gettext("Login");
        }
        return init.apply(this, args);
    };
})();

// The date of a form field (a Dict key) is shown in moment's default
// locale, as in English (12/01/2026): sao asks moment for "zh", which it
// does not know. Write it as the user's language does (2026-12-01).
(function() {
    'use strict';
    Object.defineProperty(Sao.View.Form.Dict.Date.prototype, 'format', {
        get: function() {
            return Sao.i18n.locale.date || '%x';
        },
        configurable: true,
    });
})();

// The login (sao 8.0.11 Sao.Session.get_credentials) asks for a database
// nobody knows. The database of the address (/#egov), else the server's only
// one (common.db.list, [database] list), else the one used last on this
// browser is filled in and its field hidden: people only give their login.
// sao itself drops the address's database when the server keeps its list
// private, and forgets every database at logout.
(function() {
    'use strict';
    var KEY = 'egov_database';
    var from_address = function() {
        return window.location.hash.replace(
            /^(#(!|))/, '').split('/', 1)[0] || null;
    };
    var remembered = function() {
        try {
            return localStorage.getItem(KEY);
        } catch (e) {
            return null;
        }
    };

    var list = Sao.DB.list;
    Sao.DB.list = function() {
        var address = from_address();
        if (address) {
            return jQuery.when([address]);
        }
        return list.apply(this, arguments).then(function(databases) {
            databases = databases || [];
            var last = remembered();
            if ((databases.length > 1) && last &&
                (databases.indexOf(last) >= 0)) {
                // Several databases: the last one first (sao selects none)
                databases = [last].concat(
                    databases.filter(function(d) { return d != last; }));
            }
            return databases;
        }, function() {
            // The list is private: the last database used here, if any
            var last = remembered();
            return last ? [last] : jQuery.Deferred().reject();
        });
    };

    var login_dialog = Sao.Session.login_dialog;
    Sao.Session.login_dialog = function() {
        var dialog = login_dialog.apply(this, arguments);
        var group = dialog.database_input.closest('.form-group');
        // sao fills the field after showing it: hide the group once a single
        // database is settled (read-only with a value), select the first
        // of several
        var settle = function(el) {
            var val = jQuery.fn.val;
            el.val = function(value) {
                if (!arguments.length) {
                    return val.call(this);
                }
                var result = val.apply(this, arguments);
                if (this.is('select')) {
                    if (!val.call(this)) {
                        this.prop('selectedIndex', 0);
                    }
                } else if (this.prop('readonly') && value) {
                    group.addClass('egov-database-settled').sao_hide();
                }
                return result;
            };
        };
        settle(dialog.database_input);
        settle(dialog.database_select);
        return dialog;
    };

    var get_credentials = Sao.Session.get_credentials;
    Sao.Session.get_credentials = function() {
        return get_credentials.apply(this, arguments).then(function(session) {
            try {
                localStorage.setItem(KEY, session.database);
            } catch (e) {
                // private browsing: the address or the list still serve
            }
            return session;
        });
    };
})();

// A menu entry opens once. sao opens a menu entry on the click of its row
// (the menu selects nothing), so a double click opened it two or three
// times: three dialogs of a wizard such as 从 Excel 导入. The same entry
// activated again within a second is the same gesture.
(function() {
    'use strict';
    var activate = Sao.main_menu_row_activate;
    var last = {id: null, time: 0};
    Sao.main_menu_row_activate = function() {
        var screen = Sao.main_menu_screen;
        var id = screen ? screen.get_id() : null;
        var now = Date.now();
        if (id && (id == last.id) && (now - last.time < 1000)) {
            return;
        }
        last = {id: id, time: now};
        return activate.apply(this, arguments);
    };
})();

// ---- egov search box (issue 13) begin ----
// A search box in the top bar, before the person's name: suggestions from
// egov.search.suggest as one types (at most 8, after a pause; only words of
// records the user may open, and their own history), and Enter or a
// suggestion opens the search page (/<database>/egov/search?q=…) in a new
// browser tab, where the web client's session applies.
(function() {
    'use strict';
    var LIMIT = 8;
    var MAX_LENGTH = 200;
    var ZH_CN = {
        "Search documents, people, units…": "全文检索：公文、人员、单位……",
        "Search (Enter opens the search page)":
            "智能检索（按回车键打开检索页面）",
    };
    var loadJSON = Sao.i18n.loadJSON;
    Sao.i18n.loadJSON = function(data, domain) {
        var header = data && data[''];
        if (header && String(header.language).replace('-', '_') == 'zh_CN') {
            for (var msgid in ZH_CN) {
                data[msgid] = ZH_CN[msgid];
            }
        }
        return loadJSON.call(this, data, domain);
    };

    var page_url = function(text) {
        var session = Sao.Session.current_session;
        var url = '/' + encodeURIComponent(session.database) + '/egov/search';
        if (text) {
            url += '?q=' + encodeURIComponent(text.slice(0, MAX_LENGTH));
        }
        return url;
    };

    var source = function(text) {
        var session = Sao.Session.current_session;
        text = text.trim();
        if (!text || !session) {
            return jQuery.when([]);
        }
        return Sao.rpc({
            'method': 'model.egov.search.suggest',
            'params': [text.slice(0, MAX_LENGTH), LIMIT, {}],
        }, session, true, false).then(function(words) {
            return (words || []).slice(0, LIMIT);
        }, function() {
            // No suggestions is no error: Enter still searches
            return jQuery.when([]);
        });
    };

    var search_box = function() {
        var item = jQuery('<li/>', {
            'id': 'egov-search',
        });
        var form = jQuery('<form/>', {
            'class': 'navbar-form',
            'role': 'search',
        }).appendTo(item);
        var title = Sao.i18n.gettext("Search (Enter opens the search page)");
        var input = jQuery('<input/>', {
            'type': 'search',
            'id': 'egov-search-entry',
            'class': 'form-control input-sm',
            'maxlength': MAX_LENGTH,
            'placeholder': Sao.i18n.gettext(
                "Search documents, people, units…"),
            'title': title,
            'aria-label': title,
            'enterkeyhint': 'search',
        }).appendTo(form);
        var open = function(text) {
            window.open(page_url(text), '_blank', 'noopener');
            input.val('');
        };
        var completion = new Sao.common.InputCompletion(
            input, source, open, function(word) {
                return word;
            });
        input.keydown(function(evt) {
            if (evt.which == Sao.common.RETURN_KEYCODE) {
                evt.preventDefault();
                if (completion.dropdown.hasClass('open')) {
                    completion.menu.dropdown('toggle');
                }
                open(input.val().trim());
            }
        });
        form.submit(function(evt) {
            evt.preventDefault();
        });
        return item;
    };

    // On the phone the top bar folds its box away: a magnifier beside the
    // bar's toggle opens the search page in one tap
    var phone_button = function() {
        var title = Sao.i18n.gettext("Search (Enter opens the search page)");
        return jQuery('<a/>', {
            'id': 'egov-search-phone',
            'class': 'navbar-toggle visible-xs',
            'href': page_url(''),
            'target': '_blank',
            'rel': 'noopener',
            'title': title,
            'aria-label': title,
        }).append(Sao.common.ICONFACTORY.get_icon_img('tryton-search'));
    };

    var user_menu = Sao.user_menu;
    Sao.user_menu = function() {
        var result = user_menu.apply(this, arguments);
        jQuery('#egov-search, #egov-search-phone').remove();
        jQuery('#user-preferences').before(search_box());
        jQuery('.navbar-header > .navbar-toggle').after(phone_button());
        return result;
    };
    var logout = Sao.logout;
    Sao.logout = function() {
        jQuery('#egov-search, #egov-search-phone').remove();
        return logout.apply(this, arguments);
    };
})();
// ---- egov search box (issue 13) end ----
// ---- egov notification bell without the bus (issue 12) begin ----
// With the bus (PostgreSQL, [bus] allow_subscribe) an open client hears of
// a new message at once. Without it (the SQLite demo, or a deployment that
// keeps long polls off) the bell is counted again every half minute, so a
// message still shows without reloading the page.
(function() {
    'use strict';
    var POLL_MS = 30000;
    window.setInterval(function() {
        if (Sao.Session.current_session && !Sao.Bus.listening &&
                !document.hidden) {
            Sao.NotificationMenu.count();
        }
    }, POLL_MS);
})();
// ---- egov notification bell without the bus (issue 12) end ----
// ---- egov integer graph ticks (issue 17) begin ----
// billboard.js spreads about ten ticks over the value axis, so a chart of
// counts up to 3 reads 0.5, 1.5 …: when every measure of a graph view is
// an integer field, small ranges get a tick per unit and no label is ever
// fractional.
(function() {
    'use strict';
    var UNIT_TICKS_UP_TO = 8;
    var Chart = Sao.View.Graph.Chart;
    var bb_config = Chart.prototype._bb_config;
    Chart.prototype._bb_config = function(data) {
        var config = bb_config.call(this, data);
        var fields = this.view.screen.model.fields;
        var integer = this.yfields.length && this.yfields.every(function(y) {
            // '#' counts the records: an integer too
            return (y.name == '#') || (fields[y.name] &&
                fields[y.name].description.type == 'integer');
        });
        if (!config.axis || !integer) {
            return config;
        }
        var max = 0;
        (data.columns || []).forEach(function(column) {
            if (column[0] != 'labels') {
                column.slice(1).forEach(function(value) {
                    max = Math.max(max, Number(value) || 0);
                });
            }
        });
        var tick = {
            format: function(value) {
                return Number.isInteger(value) ? value : '';
            },
        };
        if (max <= UNIT_TICKS_UP_TO) {
            tick.stepSize = 1;
        }
        config.axis.y = jQuery.extend(config.axis.y || {}, {tick: tick});
        return config;
    };
})();
// ---- egov integer graph ticks (issue 17) end ----
