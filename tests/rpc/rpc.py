"""A JSON-RPC client that speaks to trytond as the web client does."""
import base64
import gzip
import json
import urllib.error
import urllib.request


class RPCError(Exception):
    "An error answered by the server: kind (UserError…) and message"

    def __init__(self, kind, message, detail=None):
        super().__init__(kind, message)
        self.kind = kind
        self.message = message
        self.detail = detail


class Session:

    def __init__(self, server, login, password, **factors):
        "Log in with the password and the other factors asked (sms_code…)"
        self.url = '%s/%s/rpc/' % (server.url, server.database)
        self.login = login
        self.user_id, self.token, _ = self.call(
            'common.db.login', login, dict(factors, password=password),
            'zh_CN')
        self.context = self.call('model.res.user.get_preferences', True, {})

    @classmethod
    def with_sms(cls, server, login, password):
        """Log in as someone whose role asks for an SMS code: the test
        servers write the SMS to their log instead of sending it"""
        try:
            return cls(server, login, password)
        except RPCError as error:
            if error.message != 'sms_code':
                raise
        return cls(server, login, password, sms_code=server.last_sms_code())

    def call(self, method, *params):
        data = json.dumps({'id': 1, 'method': method, 'params': params})
        request = urllib.request.Request(
            self.url, data=data.encode('utf-8'), method='POST', headers={
                'Content-Type': 'application/json',
                'Accept-Encoding': 'gzip',
                })
        if hasattr(self, 'token'):
            auth = '%s:%s:%s' % (self.login, self.user_id, self.token)
            request.add_header('Authorization',
                'Session ' + base64.b64encode(auth.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                body = response.read()
                if response.headers.get('Content-Encoding') == 'gzip':
                    body = gzip.decompress(body)
        except urllib.error.HTTPError as error:
            raise RPCError('HTTP %s' % error.code, error.read().decode(
                    'utf-8', 'replace'))
        answer = json.loads(body)
        if 'error' in answer:
            kind, args = answer['error'][0], answer['error'][1]
            if isinstance(args, (list, tuple)):
                message = args[0] if args else ''
                detail = args[1] if len(args) > 1 else None
            else:
                message, detail = args, None
            raise RPCError(kind, message, detail)
        return answer['result']

    def model(self, model, method, *args):
        "Call model.method(*args, context) as the client does"
        return self.call(
            'model.%s.%s' % (model, method), *args, self.context)

    def model_confirmed(self, model, method, *args):
        """model.method(*args) as a person who confirms its warnings: the
        warning skipped once, as the web client does on 是, and asked
        again"""
        for _ in range(5):
            try:
                return self.model(model, method, *args)
            except RPCError as error:
                if error.kind != 'UserWarning':
                    raise
                self.model('res.user.warning', 'skip', error.message, False)
        raise AssertionError('warned again and again: %s' % error.message)

    def search_read(self, model, domain, fields, limit=None):
        return self.model(
            model, 'search_read', domain, 0, limit, None, fields)

    def wizard(self, name, state_values, state, **context):
        "Create a wizard session and execute state; return both"
        ctx = dict(self.context, **context)
        session_id, _, _ = self.call('wizard.%s.create' % name, ctx)
        return session_id, self.wizard_step(
            name, session_id, state_values, state, **context)

    def wizard_step(self, name, session_id, state_values, state, **context):
        "Execute one more state of a wizard session"
        ctx = dict(self.context, **context)
        return self.call('wizard.%s.execute' % name, session_id,
            state_values, state, ctx)
