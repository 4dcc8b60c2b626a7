"""What the tests of messages share: the worker's queue run in the test's
transaction, and provider records pointed at the local servers of
tests/fakes (which live with the server tests, at the repository's root)."""
import pathlib
import sys

from trytond.pool import Pool

ROOT = pathlib.Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_queue():
    "Run the tasks queued so far, as trytond-worker does"
    Queue = Pool().get('ir.queue')
    for _ in range(10):
        tasks = Queue.search(
            [('finished_at', '=', None)], order=[('id', 'ASC')])
        if not tasks:
            return
        for task in tasks:
            task.run()


def aliyun_provider(fake, timeout=2):
    "An Aliyun SMS provider record for the local Aliyun fake"
    settings = fake.settings()
    provider, = Pool().get('egov.notify.provider').create([{
                'name': '阿里云短信', 'kind': 'aliyun',
                'endpoint': settings['endpoint'],
                'protocol': 'http',
                'access_key_id': settings['access_key_id'],
                'secret': settings['access_key_secret'],
                'sign_name': settings['sign_name'],
                'timeout': timeout,
                }])
    return provider


def wechat_provider(fake, timeout=2):
    "A WeChat Work provider record for the local WeChat Work fake"
    settings = fake.settings()
    provider, = Pool().get('egov.notify.provider').create([{
                'name': '企业微信', 'kind': 'wechat_work',
                'corp_id': settings['corp_id'],
                'agent_id': str(settings['agent_id']),
                'secret': settings['secret'],
                'token': settings['token'],
                'encoding_aes_key': settings['encoding_aes_key'],
                'api_base_url': settings['api_base_url'],
                'oauth_base_url': settings['oauth_base_url'],
                'timeout': timeout,
                }])
    return provider
