"""Print the demo logins as a table."""
from yichun import DEMO_PASSWORD, DEMO_USERS, DIVISIONS

ROLES = {
    'org_admin': '县区组织机构管理员',
    'org_admin_city': '市级组织机构管理员',
    'app_admin': '应用管理员',
    'secadmin': '安全管理员',
    'auditor': '安全审计员',
    }


def main():
    divisions = {code: name for code, name, _, _ in DIVISIONS}
    print('\n演示账号(密码均为 %s):' % DEMO_PASSWORD)
    print('  %-12s %-6s %-10s %s' % ('登录名', '姓名', '县区', '单位 / 岗位 / 角色'))
    print('  %-12s %-6s %-10s %s' % ('admin', '系统管理员', '', '内置管理员'))
    for (login, name, _, division, unit, (department, post), roles, _,
            in_charge) in DEMO_USERS:
        where = ' / '.join(p for p in (unit, department, post) if p)
        extra = [ROLES[r] for r in roles]
        if in_charge:
            extra.append('分管 ' + '、'.join(in_charge))
        if extra:
            where += '(%s)' % ';'.join(extra)
        print('  %-12s %-6s %-10s %s' % (login, name, divisions[division], where))
    print()


if __name__ == '__main__':
    main()
