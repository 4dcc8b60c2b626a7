"""One's photo (ir.avatar, set in the preferences). Tryton decodes the whole
image to crop it: a 164 KB PNG of 13,000 × 13,000 pixels held half a
gigabyte of the server's memory. The photo passes the upload guard first,
with bounds fit for a photo of a person.

The photos are served without a login (/avatar/<database>/<uuid>?s=size),
each size asked resized once and stored: any size would let anyone store
fifty copies of every photo. A few sizes are served."""
from trytond.i18n import gettext
from trytond.pool import PoolMeta

from . import guard

KINDS = ('png', 'jpeg', 'gif')
MAX_SIZE = 10  # MB
# A phone's photo is 12 million pixels; decoded, 25 million take 100 MB
MAX_PIXELS = 25_000_000
# sao asks for 15, 30 and 64 pixels; a size is served at the next of these
SIZES = (16, 32, 64, 128, 256)


class Avatar(metaclass=PoolMeta):
    __name__ = 'ir.avatar'

    @classmethod
    def convert(cls, image, **params):
        if image:
            guard.check(gettext('egov_base.msg_upload_avatar_name'), image,
                allowed=KINDS, max_size=MAX_SIZE, max_pixels=MAX_PIXELS)
        return super().convert(image, **params)

    def get(self, size=64):
        size = next((s for s in SIZES if s >= size), SIZES[-1])
        return super().get(size=size)
