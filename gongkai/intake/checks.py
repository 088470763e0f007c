"""Format checks for the application form: pure, no Django, no ORM.

Each check returns the cleaned value or raises ValueError with a Chinese message
that says what is wrong and how to fix it. The checks help catch typing mistakes
but never refuse a value that may be right: only the 18-digit 居民身份证 number
has a checksum (GB 11643-1999) and a birth date that are verified; other
documents and telephone numbers are checked for length and characters only.
"""

import datetime as dt
import re
import unicodedata

RESIDENT_ID = "居民身份证"
ID_DOCUMENT_TYPES = (
    RESIDENT_ID,
    "港澳台居民居住证",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "护照",
    "外国人永久居留身份证",
    "其他身份证件",
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"[\s\u3000\-－—_]+")


def normalise(text):
    """Full-width letters and digits to half-width (NFKC), surrounding blanks removed."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def id_check_digit(first17):
    """The 18th character of a 居民身份证 number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(value, *, today=None):
    """An 18-digit 居民身份证 number, upper-case X; ValueError (Chinese) otherwise."""
    number = _SEPARATORS.sub("", normalise(value)).upper()
    if not number:
        raise ValueError("请填写居民身份证号码。")
    if len(number) == 15 and number.isdigit():
        raise ValueError(
            "这是15位的第一代身份证号码，已停止使用。请填写第二代居民身份证上的18位号码。"
        )
    if len(number) != 18:
        raise ValueError(
            f"居民身份证号码应为18位，您填写了{len(number)}位。请对照证件检查是否多填或漏填。"
        )
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise ValueError("居民身份证号码前17位应为数字，最后一位为数字或字母X。")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(
            "居民身份证号码第7至14位应是出生日期（年月日），现在不是有效日期，请检查。"
        ) from None
    if born.year < 1900 or (today is not None and born > today):
        raise ValueError("居民身份证号码中的出生日期不合理，请检查第7至14位。")
    if id_check_digit(number[:17]) != number[17]:
        raise ValueError(
            "居民身份证号码的校验位（最后一位）与前17位不符，可能有数字填错，请对照证件仔细检查。"
        )
    return number


def other_document(value):
    """Another identity document's number: 4–40 letters, digits, spaces, hyphens or brackets."""
    number = re.sub(r"\s+", " ", normalise(value))
    if not number:
        raise ValueError("请填写证件号码。")
    if not 4 <= len(number) <= 40:
        raise ValueError("证件号码应为4至40个字符，请对照证件检查。")
    if not re.fullmatch(r"[0-9A-Za-z\- ()（）/]+", number):
        raise ValueError("证件号码只能包含字母、数字、空格、连字符和括号，请对照证件检查。")
    return number.upper()


def org_code(value):
    """统一社会信用代码 or another registration number: 6–30 letters and digits."""
    code = _SEPARATORS.sub("", normalise(value)).upper()
    if not code:
        raise ValueError("请填写统一社会信用代码或登记证号。")
    if not re.fullmatch(r"[0-9A-Z]{6,30}", code):
        raise ValueError(
            "统一社会信用代码一般为18位字母和数字；其他登记证号请填写6至30位字母和数字，不要填写汉字或符号。"
        )
    return code


def phone(value):
    """A telephone number: digits with optional +, spaces, hyphens, brackets and 转 (extension).

    A mainland mobile number (11 digits starting with 1) must start 13–19; anything
    else with 7 to 20 digits is accepted (landlines, extensions, numbers abroad).
    """
    text = normalise(value)
    if not text:
        return ""
    if not re.fullmatch(r"\+?[0-9\s\-()（）转]+", text):
        raise ValueError("电话号码只能包含数字，以及 +、空格、连字符、括号或“转”（分机）。")
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 20:
        raise ValueError("电话号码位数不对：手机号为11位；固定电话请加区号，例如 010-12345678。")
    if len(digits) == 11 and digits.startswith("1") and digits[1] in "012":
        raise ValueError("手机号码应以13至19开头，请检查第二位数字。")
    return re.sub(r"\s+", " ", text)


# ---- the challenge's numbers, written in Chinese -------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """0–99 in Chinese numerals: 7 → 七, 12 → 十二, 40 → 四十, 95 → 九十五."""
    if not 0 <= n <= 99:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def parse_answer(text):
    """The applicant's answer as an int: Arabic digits (full- or half-width) or Chinese
    numerals up to 99 (十二, 二十); None when it is neither."""
    text = normalise(text).replace(" ", "")
    if re.fullmatch(r"-?\d{1,4}", text):
        return int(text)
    text = text.replace("两", "二").replace("〇", "零")
    for n in range(100):
        if chinese_number(n) == text:
            return n
    return None
