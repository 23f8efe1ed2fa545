"""Photos sent with a report or a visit: size and type checked, re-encoded as JPEG.

Re-encoding with Pillow drops every metadata block (a phone's EXIF carries the GPS position of the
house) and proves the file is an image, not something else with an image's name. Sizes and the
largest side are limited so that a villager's 12-megapixel photo still goes through.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from lantu.core.errors import ValidationFailed
from lantu.monitoring import policy

FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
LONGEST_SIDE = 2048


def clean(upload: UploadedFile | None) -> ContentFile | None:  # type: ignore[type-arg]
    if upload is None or not upload.size:
        return None
    limit_kb = int(policy.value("photo_max_kb"))
    if upload.size > limit_kb * 1024:
        raise ValidationFailed(
            f"照片不能超过{limit_kb // 1024}MB，请压缩后再传",
            f"the photo is larger than {limit_kb // 1024} MB: send a smaller one",
        )
    try:
        image = Image.open(upload)
        if image.format not in FORMATS:
            raise ValidationFailed(
                "照片只能是JPG、PNG或WEBP格式", "the photo must be a JPEG, PNG or WEBP image"
            )
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationFailed("无法识别该照片，请换一张", "the photo cannot be read") from exc
    rgb = image.convert("RGB")
    rgb.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    rgb.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="photo.jpg")
