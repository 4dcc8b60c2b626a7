"""Checks of the container files under docker/.

Docker cannot run here, so the files are parsed and checked against each
other and against the project: the compose services run the programs that
the project installs, with arguments Tryton's own command-line parsers
accept; nginx proxies to the server service; the entrypoint and
scripts/render-config write the configuration the services expect.
"""
import ast
import configparser
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
import yaml
from trytond import commandline

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / 'docker'
APP_SERVICES = ['init', 'trytond', 'trytond-worker', 'trytond-cron']
SERVICES = ['postgres', *APP_SERVICES, 'nginx']
DATABASE = 'egov'
# Values for the ${VAR:?...} secrets when the compose file is interpolated
FAKE_ENV = {
    'POSTGRES_PASSWORD': 'db-Secret_1',
    'EGOV_ADMIN_PASSWORD': 'admin-Secret_2',
    'EGOV_ADMIN_EMAIL': 'admin@example.org',
    }
VAR = re.compile(r'\$\{(\w+)(?:(:?[-?])([^}]*))?\}')


def interpolate(value, env=FAKE_ENV):
    "Interpolate a compose value the way docker compose does"
    def replace(match):
        name, operator, argument = match.groups()
        if name in env:
            return env[name]
        if operator in {'-', ':-'}:
            return argument
        raise AssertionError(f'${{{name}}} has no value and no default')
    parts = str(value).split('$$')
    return '$'.join(VAR.sub(replace, part) for part in parts)


@pytest.fixture(scope='module')
def compose():
    with open(DOCKER / 'compose.yaml') as fp:
        data = yaml.safe_load(fp)
    assert isinstance(data, dict) and isinstance(data.get('services'), dict)
    return data


@pytest.fixture(scope='module')
def services(compose):
    return compose['services']


@pytest.fixture(scope='module')
def dockerfile():
    "The instructions of docker/Dockerfile as (INSTRUCTION, arguments)"
    text = (DOCKER / 'Dockerfile').read_text()
    text = re.sub(r'\\\n', ' ', text)
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        keyword, _, arguments = line.partition(' ')
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


@pytest.fixture(scope='module')
def image_env(dockerfile):
    "The ENV of the final stage of the Dockerfile"
    env = {}
    for keyword, arguments in dockerfile:
        if keyword == 'FROM':
            env = {}
        elif keyword == 'ENV':
            for item in shlex.split(arguments):
                name, _, value = item.partition('=')
                env[name] = value
    return env


@pytest.fixture(scope='module')
def workdir(dockerfile):
    workdir = None
    for keyword, arguments in dockerfile:
        if keyword == 'FROM':
            workdir = None
        elif keyword == 'WORKDIR':
            workdir = arguments
    assert workdir and workdir.startswith('/')
    return PurePosixPath(workdir)


def command(service):
    value = service.get('command')
    assert isinstance(value, list), 'commands are written as lists'
    return [interpolate(a) for a in value]


def environment(service):
    env = service.get('environment') or {}
    if isinstance(env, list):
        env = dict(item.partition('=')[::2] for item in env)
    return {k: interpolate(v) for k, v in env.items()}


def installed_program(name):
    "The path of the console script name installed with this Python"
    scripts = {
        ep.name: ep for ep in importlib.metadata.entry_points(
            group='console_scripts')}
    assert name in scripts, f'{name} is not an installed console script'
    module = scripts[name].value.partition(':')[0]
    assert importlib.util.find_spec(module), module
    bins = [str(Path(sys.executable).parent), str(ROOT / '.venv' / 'bin')]
    path = shutil.which(name, path=os.pathsep.join(bins))
    assert path, f'{name} not found in {bins}'
    return path


def test_compose_services(services):
    missing = set(SERVICES) - set(services)
    assert not missing, f'missing services: {sorted(missing)}'
    for name, service in services.items():
        assert service.get('image') or service.get('build'), name


def test_app_services_share_the_image(services):
    builds, images = set(), set()
    for name in APP_SERVICES:
        build = services[name].get('build')
        assert isinstance(build, dict), name
        context = (DOCKER / build['context']).resolve()
        assert context == ROOT, 'the build context is the repository root'
        assert (context / build['dockerfile']).resolve() == \
            DOCKER / 'Dockerfile'
        builds.add((build['context'], build['dockerfile']))
        images.add(services[name].get('image'))
    assert len(builds) == 1 and len(images) == 1


def test_secrets_come_from_the_environment(services):
    env = environment(services['postgres'])
    assert env['POSTGRES_DB'] == DATABASE
    raw = services['postgres']['environment']['POSTGRES_PASSWORD']
    assert raw.startswith('${POSTGRES_PASSWORD')
    text = (DOCKER / 'compose.yaml').read_text()
    required = {m[0] for m in VAR.findall(text) if m[1] == ':?'}
    assert {'POSTGRES_PASSWORD', 'EGOV_ADMIN_PASSWORD'} <= required
    example = {}
    for line in (DOCKER / '.env.example').read_text().splitlines():
        if line.strip() and not line.lstrip().startswith('#'):
            name, _, value = line.partition('=')
            example[name.strip()] = value.strip()
    assert required <= set(example), \
        f'not in .env.example: {sorted(required - set(example))}'
    for name in required:
        if 'PASSWORD' in name:
            assert example[name].startswith('change-me'), name
    if shutil.which('git') and (ROOT / '.git').exists():
        ignored = subprocess.run(
            ['git', 'check-ignore', '-q', 'docker/.env'], cwd=ROOT)
        assert ignored.returncode == 0, 'docker/.env must be ignored by git'


def test_database_uri_uses_the_postgres_service(services):
    postgres = environment(services['postgres'])
    for name in APP_SERVICES:
        uri = environment(services[name])['TRYTOND_DATABASE__URI']
        assert uri == (f'postgresql://{postgres["POSTGRES_USER"]}:'
            f'{FAKE_ENV["POSTGRES_PASSWORD"]}@postgres:5432/'), name
        assert environment(services[name])['TRYTOND_QUEUE__WORKER'] == 'True'
    healthcheck = services['postgres']['healthcheck']['test']
    # over TCP: the server that runs the init scripts has no TCP listener
    assert 'pg_isready' in healthcheck and '-h' in healthcheck
    init_sql = [v for v in services['postgres']['volumes']
        if '/docker-entrypoint-initdb.d/' in v]
    assert init_sql
    source = DOCKER / init_sql[0].split(':')[0]
    assert re.search(r'CREATE EXTENSION IF NOT EXISTS pg_trgm',
        source.read_text(), re.I)


@pytest.mark.parametrize('name,program,get_parser', [
        ('trytond-worker', 'trytond-worker', commandline.get_parser_worker),
        ('trytond-cron', 'trytond-cron', commandline.get_parser_cron),
        ])
def test_daemon_commands(services, image_env, name, program, get_parser):
    argv = command(services[name])
    assert argv[0] == program
    installed_program(program)
    options = get_parser().parse_args(argv[1:])
    assert options.configfile == [image_env['TRYTOND_CONFIG']]
    assert options.database_names == [DATABASE]


def test_server_command(services):
    service = services['trytond']
    argv = command(service)
    assert argv[0] == 'gunicorn'
    assert argv[-1] == 'trytond.application:app'
    bind = argv[argv.index('--bind') + 1]
    assert bind == '0.0.0.0:8000'
    assert environment(service)['TRYTOND_DATABASE_NAMES'] == DATABASE
    assert 'ports' not in service, 'the server is scaled: no published port'
    # The WSGI app exists in the installed trytond
    spec = importlib.util.find_spec('trytond.application')
    assert spec and spec.origin
    tree = ast.parse(Path(spec.origin).read_text())
    names = {alias.asname or alias.name for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert 'app' in names
    # gunicorn is pinned for the image
    pins = (DOCKER / 'requirements-docker.txt').read_text().splitlines()
    assert any(re.fullmatch(r'gunicorn==\d+(\.\d+)+', p.strip())
        for p in pins)
    if 'gunicorn' in {ep.name for ep in importlib.metadata.entry_points(
                group='console_scripts')}:
        installed_program('gunicorn')


def test_init_command(services, image_env, tmp_path):
    argv = command(services['init'])
    assert argv[:2] == ['bash', '-euc']
    script = argv[2]
    path = tmp_path / 'init.sh'
    path.write_text(script)
    syntax = subprocess.run(['bash', '-n', str(path)],
        capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    installed_program('trytond-admin')
    calls = []
    for line in script.replace('\\\n', ' ').splitlines():
        words = shlex.split(re.sub(r'\$(\w+)',
                lambda m: FAKE_ENV.get(m[1], m[1]), line))
        while words and re.fullmatch(r'\w+=.*', words[0]):
            words.pop(0)
        if words and words[0] == 'trytond-admin':
            calls.append((line, commandline.get_parser_admin().parse_args(
                        words[1:])))
    assert len(calls) == 2
    for _, options in calls:
        assert options.configfile == [image_env['TRYTOND_CONFIG']]
        assert options.database_names == [DATABASE]
        assert 'zh_CN' in options.languages
    (create_line, create), (_, activate) = calls
    assert {'ir', 'res'} <= set(create.update)
    assert 'TRYTONPASSFILE=' in create_line
    assert create.email == FAKE_ENV['EGOV_ADMIN_EMAIL']
    assert activate.update == ['egov_base', 'egov_workflow'] and (
        activate.activatedeps)
    assert 'EGOV_ADMIN_PASSWORD' in environment(services['init'])
    assert services['init'].get('restart') == 'no'
    for name in APP_SERVICES[1:]:
        depends = services[name]['depends_on']
        assert depends['init']['condition'] == \
            'service_completed_successfully', name


def test_dockerfile(dockerfile, workdir):
    froms = [a.split()[0] for k, a in dockerfile if k == 'FROM']
    assert froms and all('bookworm' in f for f in froms), froms
    assert re.fullmatch(r'python:3\.1[1-9]-slim-bookworm', froms[-1])
    runs = ' '.join(a for k, a in dockerfile if k == 'RUN')
    assert re.search(r'pip install (\S+ )*-r requirements\.txt', runs)
    assert '-r docker/requirements-docker.txt' in runs
    assert 'pip install --no-deps .' in runs
    assert 'npm ci' in runs
    assert 'fonts-noto-cjk' in runs
    assert 'ln -sfn .. node_modules/tryton-sao/node_modules' in runs
    for name in ['custom.js', 'custom.css']:
        link = re.search(r'ln -sfn (\S+) node_modules/tryton-sao/' +
            re.escape(name), runs)
        assert link, name
        target = ROOT / 'node_modules' / 'tryton-sao' / link[1]
        assert target.resolve() == ROOT / 'web' / name
        assert target.resolve().is_file()
    users = [a for k, a in dockerfile if k == 'USER']
    assert users and users[-1] not in {'root', '0'}
    for keyword, arguments in dockerfile:
        if keyword in {'ENV', 'ARG'}:
            assert not re.search(r'PASSWORD|SECRET|postgresql://',
                arguments, re.I), arguments
    entrypoint = [a for k, a in dockerfile if k == 'ENTRYPOINT']
    assert entrypoint
    assert shlex.split(entrypoint[-1].strip('[]').replace(',', ' ')) == [
        str(workdir / 'docker' / 'entrypoint.sh')]


def test_node_modules_allow_the_sao_link():
    "npm ci must not create node_modules/tryton-sao/node_modules itself"
    lock = (ROOT / 'package-lock.json').read_text()
    assert '"node_modules/tryton-sao"' in lock
    assert '"node_modules/tryton-sao/node_modules/' not in lock


def dockerignore_regex(pattern):
    "A .dockerignore pattern as a regular expression (Go filepath.Match)"
    regex = ''
    for token in re.split(r'(\*\*/|\*\*|\*|\?)', pattern):
        regex += {'**/': '(?:.*/)?', '**': '.*', '*': '[^/]*',
            '?': '[^/]'}.get(token, re.escape(token))
    return re.compile(regex)


def dockerignore_excludes(patterns, path):
    "Whether path is left out of the context (the last matching pattern wins)"
    parts = path.split('/')
    prefixes = ['/'.join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith('!')
        regex = dockerignore_regex(pattern.lstrip('!').strip('/'))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negate
    return excluded


def test_build_context():
    patterns = [line.strip() for line in
        (DOCKER / 'Dockerfile.dockerignore').read_text().splitlines()
        if line.strip() and not line.startswith('#')]
    needed = ['requirements.txt', 'docker/requirements-docker.txt',
        'docker/entrypoint.sh', 'scripts/render-config', 'pyproject.toml',
        'config/trytond.conf', 'package.json', 'package-lock.json',
        'web/custom.js', 'web/custom.css', 'addons/egov_base/__init__.py',
        'addons/egov_base/tryton.cfg']
    for path in needed:
        assert (ROOT / path).exists(), path
        assert not dockerignore_excludes(patterns, path), path
    for path in ['.venv/bin/python', 'node_modules/jquery/package.json',
            'var/trytond.conf', '.git/HEAD', 'docker/.env',
            'addons/egov_base/__pycache__/x.pyc',
            'addons/yichun_egov.egg-info/PKG-INFO']:
        assert dockerignore_excludes(patterns, path), path


def nginx_directives(text):
    text = re.sub(r'#[^\n]*', '', text)
    assert text.count('{') == text.count('}'), 'unbalanced braces'
    return [' '.join(d.split()) for d in re.split(r'[;{}]', text)
        if d.strip()]


def size(value):
    units = {'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3}
    match = re.fullmatch(r'(\d+)([kmg]?)', value.lower())
    assert match, value
    return int(match[1]) * units.get(match[2], 1)


def test_nginx(services):
    nginx = services['nginx']
    mounts = [v for v in nginx['volumes'] if v.startswith('./nginx.conf:')]
    assert mounts and mounts[0].split(':')[1].startswith('/etc/nginx/')
    assert any(str(p).endswith(':80') for p in nginx['ports'])
    text = (DOCKER / 'nginx.conf').read_text()
    directives = nginx_directives(text)
    upstreams = dict(re.findall(
            r'upstream\s+(\w+)\s*\{([^}]*)\}', re.sub(r'#[^\n]*', '', text)))
    targets = []
    for directive in directives:
        if directive.startswith('proxy_pass '):
            target = directive.split()[1].removeprefix('http://')
            if target in upstreams:
                targets += re.findall(r'server\s+(\S+)', upstreams[target])
            else:
                targets.append(target)
    assert targets == ['trytond:8000'], targets
    assert 'trytond' in services
    bind = command(services['trytond'])
    assert bind[bind.index('--bind') + 1].endswith(':8000')
    body = [d.split()[1] for d in directives
        if d.startswith('client_max_body_size ')]
    assert len(body) == 1
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / 'config' / 'trytond.conf')
    assert size(body[0]) >= config.getint(
        'request', 'max_size_authenticated')
    assert 'gzip on' in directives
    headers = {d.split()[1].lower() for d in directives
        if d.startswith('proxy_set_header ')}
    assert {'x-forwarded-for', 'x-forwarded-proto'} <= headers
    assert any(d.startswith('proxy_read_timeout ') for d in directives)
    for name in APP_SERVICES:
        assert environment(services[name])['TRYTOND_WEB__NUM_PROXIES'] == '1'


def render_env(extra):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND')}
    env['PATH'] = os.pathsep.join(
        [str(Path(sys.executable).parent), env.get('PATH', '')])
    env.update(extra)
    return env


def read_config(path):
    config = configparser.ConfigParser(interpolation=None)
    assert config.read(path) == [str(path)]
    return config


def test_render_config(tmp_path):
    uri = 'postgresql://egov:p%40ss@postgres:5432/'
    target = tmp_path / 'out' / 'trytond.conf'
    subprocess.run([sys.executable, str(ROOT / 'scripts' / 'render-config'),
            str(target)], check=True, timeout=10,
        env=render_env({'TRYTOND_DATABASE__URI': uri}))
    config = read_config(target)
    assert config.get('database', 'uri') == uri
    assert config.get('web', 'root') == str(
        ROOT / 'node_modules' / 'tryton-sao')


def test_entrypoint_renders_the_service_environment(
        services, image_env, workdir, tmp_path):
    entrypoint = DOCKER / 'entrypoint.sh'
    assert os.access(entrypoint, os.X_OK)
    syntax = subprocess.run(['bash', '-n', str(entrypoint)],
        capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    service = services['trytond']
    env = environment(service)
    target = tmp_path / 'trytond.conf'
    result = subprocess.run(
        [str(entrypoint), sys.executable, '-c',
            'import sys; print(sys.argv[1:])', 'two words', 'x'],
        env=render_env({**env, 'TRYTOND_CONFIG': str(target)}),
        capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['two words', 'x']"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    config = read_config(target)
    assert config.get('database', 'uri') == env['TRYTOND_DATABASE__URI']
    assert config.getboolean('queue', 'worker')
    assert config.getint('web', 'num_proxies') == 1
    assert config.getint('cache', 'clean_timeout') == 0
    filestore = [v.split(':')[1] for v in service['volumes']
        if v.startswith('filestore:')]
    assert config.get('database', 'path') == filestore[0]
    assert config.get('web', 'root') == str(
        workdir / 'node_modules' / 'tryton-sao')
    assert image_env['TRYTOND_DATABASE__PATH'] == filestore[0]
