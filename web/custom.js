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
