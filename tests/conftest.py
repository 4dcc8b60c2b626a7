"""A real server for the HTTP and browser tests: a database with the demo
organisation of Yichun on the backend of TRYTOND_DATABASE__URI (SQLite when
unset), served by trytond on a free loopback port."""
import atexit
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV_BIN = pathlib.Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run(*args, env=None, cwd=ROOT):
    subprocess.run(args, check=True, env=env, cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def create_postgresql_database(uri, name):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "%s"' % name)
        connection.execute('CREATE DATABASE "%s"' % name)
    with psycopg.connect(uri + name, autocommit=True) as connection:
        connection.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')


def drop_postgresql_database(uri, name):
    import psycopg
    with psycopg.connect(uri + 'postgres', autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


def platform_modules():
    "The modules every database activates: scripts/lib.sh's EGOV_MODULES"
    text = (ROOT / 'scripts' / 'lib.sh').read_text()
    return re.search(r'^EGOV_MODULES="([^"]+)"', text, re.M).group(1).split()


class Server:
    "trytond with the demo database, on loopback"

    def __init__(self):
        self.uri = os.environ.get('TRYTOND_DATABASE__URI', 'sqlite://')
        self.backend = 'postgresql' if self.uri.startswith(
            'postgresql') else 'sqlite'
        self.database = 'egov_http_%d' % os.getpid()
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix='egov-http-'))
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        # (A PostgreSQL test cluster holds other databases too: the
        # server's list is not one database as in production or the demo)
        self.only_database = self.backend == 'sqlite'
        self.config = self.directory / 'trytond.conf'
        self.process = None

    def environment(self):
        env = {k: v for k, v in os.environ.items()
            if k not in {'DB_NAME', 'DB_CACHE', 'TRYTOND_CONFIG'}}
        env.update({
                'TRYTOND_DATABASE__URI': self.uri,
                'TRYTOND_DATABASE__PATH': str(self.directory),
                'TRYTOND_WEB__LISTEN': '127.0.0.1:%d' % self.port,
                # The tests use the built-in admin (production does not)
                'TRYTOND_EGOV__ADMIN_LOGIN': 'True',
                # SMS login codes go to the server's log (as in the demo)
                'TRYTOND_AUTHENTICATION_SMS__FUNCTION':
                    'egov_base.security.sms.log_sms',
                # Warnings, the SMS among them, reach the log
                'TRYTOND_LOGGING_LEVEL': '30',
                'PATH': '%s:%s' % (VENV_BIN, os.environ.get('PATH', '')),
                })
        if self.backend == 'postgresql':
            # As in production: processes hear of cache changes through
            # LISTEN/NOTIFY (never on SQLite: see config/trytond.conf)
            env['TRYTOND_CACHE__CLEAN_TIMEOUT'] = '0'
        return env

    def database_path(self):
        return self.directory / (self.database + '.sqlite')

    def start(self):
        env = self.environment()
        image = _IMAGE.get(self.backend)
        if image:
            # The demo as loaded, copied (the seal key with it, or the
            # demo's sealed audit rows would not verify)
            image.restore(self)
        run(sys.executable, 'scripts/render-config', str(self.config),
            '--dev-seal-key', str(self.seal_key), env=env)
        if not image:
            self.install(env)
            _IMAGE[self.backend] = DemoImage(self)
        self.log = open(self.directory / 'server.log', 'w')
        self.process = subprocess.Popen([
                str(VENV_BIN / 'trytond'), '-c', str(self.config),
                '-d', self.database],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + '/', timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        raise RuntimeError('trytond did not start: see %s' % self.log.name)

    @property
    def seal_key(self):
        return self.directory / 'audit-seal.pem'

    def install(self, env):
        "The platform's modules and the demo organisation, from nothing"
        if self.backend == 'sqlite':
            self.database_path().touch()
        else:
            create_postgresql_database(self.uri, self.database)
        password = self.directory / 'admin-password'
        password.write_text('admin-initial-password')
        admin = [str(VENV_BIN / 'trytond-admin'), '-c', str(self.config),
            '-d', self.database]
        run(*admin, '--all', '--email', 'admin@localhost', '-l', 'zh_CN',
            'en', env=dict(env, TRYTONPASSFILE=str(password)))
        run(*admin, '-u', *platform_modules(),
            '--activate-dependencies', '-l', 'zh_CN', env=env)
        run(sys.executable, 'load.py', '-c', str(self.config),
            '-d', self.database, env=env, cwd=ROOT / 'demo')

    @property
    def client_url(self):
        "The address the city publishes: the web client on its database"
        return '%s/#%s' % (self.url, self.database)

    def last_sms_code(self):
        "The code of the last SMS the server wrote to its log"
        self.log.flush()
        text = (self.directory / 'server.log').read_text(errors='replace')
        codes = re.findall(r'SMS to \S+: \D*(\d{6})', text)
        assert codes, 'no SMS in %s: %s' % (self.log.name, text[-2000:])
        return codes[-1]

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.log.close()
        if self.backend == 'postgresql':
            drop_postgresql_database(self.uri, self.database)
        shutil.rmtree(self.directory, ignore_errors=True)


class DemoImage:
    """The demo database as loaded, before any test changed it: a second
    server of the same process (the security tests') starts from a copy in
    seconds instead of installing the platform again"""

    def __init__(self, server):
        self.backend, self.uri = server.backend, server.uri
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix='egov-demo-'))
        self.database = 'egov_demo_%d' % os.getpid()
        self._copy(server, self)
        atexit.register(self.drop)

    @staticmethod
    def _copy(source, target):
        "source's database, files and seal key into target's"
        shutil.copy(source.seal_key, target.seal_key)
        if source.backend == 'sqlite':
            shutil.copy(source.database_path(), target.database_path())
        else:
            import psycopg
            drop_postgresql_database(source.uri, target.database)
            with psycopg.connect(source.uri + 'postgres',
                    autocommit=True) as connection:
                connection.execute('CREATE DATABASE "%s" TEMPLATE "%s"'
                    % (target.database, source.database))
        # The filestore (the documents' bodies) is kept per database name
        files = source.directory / source.database
        if files.exists():
            shutil.copytree(files, target.directory / target.database)

    @property
    def seal_key(self):
        return self.directory / 'audit-seal.pem'

    def database_path(self):
        return self.directory / (self.database + '.sqlite')

    def restore(self, server):
        self._copy(self, server)

    def drop(self):
        if self.backend == 'postgresql':
            drop_postgresql_database(self.uri, self.database)
        shutil.rmtree(self.directory, ignore_errors=True)


# The demo image of this process, per backend
_IMAGE = {}


@pytest.fixture(scope='session')
def server():
    server = Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='session')
def artefacts():
    path = pathlib.Path(os.environ.get(
            'EGOV_ARTEFACTS', ROOT / 'artefacts' / 'local'))
    path.mkdir(parents=True, exist_ok=True)
    return path
