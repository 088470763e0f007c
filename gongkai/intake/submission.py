"""Taking in an online application, and finding a case again with its 查询码.

`submit` is the one state change of this app: inside one transaction it records
the one-time form token, creates the case through cases.workflow.submit_online
(网络 channel, 待确认, audited as 网上提交 with no actor) and attaches the identity
proof through attachments.services.attach (audited upload). Either all of it is
kept or none: if anything fails, the transaction is rolled back and a file
already written is removed again.

A form token is used once. A second POST with the same token, whether it comes
after the first has finished or at the same moment, finds the first one's row
(the token is inserted last, with its case: the unique index makes the second
insert wait for the first transaction, then fail, which rolls back the second
case and its number) and gets the same receipt; nothing new is created.
"""

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from gongkai.attachments import services as attachments
from gongkai.attachments import storage
from gongkai.attachments.models import AttachmentKind
from gongkai.cases import workflow
from gongkai.cases.models import Case, hash_query_code
from gongkai.intake.challenge import nonce_hash
from gongkai.intake.models import SubmissionToken

log = logging.getLogger("gongkai.audit")

_SEAL_SALT = "gongkai.intake.seal"


def _keystream(nonce, length):
    return salted_hmac(_SEAL_SALT, str(nonce), algorithm="sha256").digest()[:length]


def seal(code, nonce):
    """The 查询码 encrypted with a key only the form token opens (hex)."""
    data = str(code).encode("ascii")
    if len(data) > 32:
        raise ValueError("query code too long to seal")
    return bytes(a ^ b for a, b in zip(data, _keystream(nonce, len(data)), strict=True)).hex()


def unseal(sealed, nonce):
    data = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(data, _keystream(nonce, len(data)), strict=True)).decode(
        "latin-1"
    )


@dataclass
class Receipt:
    """What the receipt page shows (JSON-serialisable for the session)."""

    tracking_number: str
    query_code: str
    agency_name: str
    submitted_on: str  # ISO date
    applicant_type: str  # Chinese label
    applicant_name: str
    content: str
    form_wanted: str  # Chinese label
    business_type: str  # Chinese label
    attachments: list = field(default_factory=list)  # file names
    repeated: bool = False  # shown again for a repeated POST of the same form

    def as_dict(self):
        return asdict(self)


def _receipt(case, code, *, repeated=False, attachments=None, business_type=None):
    """The receipt of `case`; `attachments` and `business_type` (the label) save the
    queries when the caller already knows them."""
    if attachments is None:
        attachments = list(
            case.attachments.filter(uploaded_by__isnull=True, kind=AttachmentKind.IDENTITY)
            .order_by("id")
            .values_list("original_name", flat=True)
        )
    return Receipt(
        tracking_number=case.tracking_number,
        query_code=code,
        agency_name=case.agency.name,
        submitted_on=case.submitted_on.isoformat(),
        applicant_type=case.get_applicant_type_display(),
        applicant_name=case.applicant_name,
        content=case.content,
        form_wanted=case.get_form_wanted_display(),
        business_type=business_type or case.business_type_label,
        attachments=attachments,
        repeated=repeated,
    )


def already_submitted(nonce):
    """The receipt for a form token that has already created a case, else None."""
    row = (
        SubmissionToken.objects.filter(token_hash=nonce_hash(nonce))
        .values_list("case_id", "sealed_code")
        .first()
    )
    if row is None or row[0] is None:
        return None
    case = Case.objects.select_related("agency").get(pk=row[0])
    return _receipt(case, unseal(row[1], nonce), repeated=True)


def submit(agency, *, nonce, fields, submitted_on, upload=None, allowed=None, labels=None):
    """Create the case (and attach `upload` as 身份证明) for form token `nonce`.

    `labels`: optional {"business_type": its display name} for the receipt.
    Returns a Receipt. Raises workflow.WorkflowError, attachments.AttachmentError or
    attachments.UploadRejected (Chinese messages) with nothing kept.
    """
    if not isinstance(submitted_on, dt.date):
        raise TypeError("submitted_on must be a date")
    token_hash = nonce_hash(nonce)
    stored, names = [], []
    try:
        with transaction.atomic():
            case = workflow.submit_online(agency, submitted_on=submitted_on, **fields)
            if upload is not None:
                extra = {} if allowed is None else {"allowed": allowed}
                row = attachments.attach(
                    case, upload, kind=AttachmentKind.IDENTITY, by=None, **extra
                )
                stored.append(row.stored_path)
                names.append(row.original_name)
            # Inserted last, with the case: a concurrent POST of the same form waits for
            # our transaction at the unique index, then fails and rolls its case back.
            SubmissionToken.objects.create(
                token_hash=token_hash, case=case, sealed_code=seal(case.query_code, nonce)
            )
    except BaseException as error:
        for path in stored:
            storage.discard(path)
        if isinstance(error, IntegrityError):
            receipt = already_submitted(nonce)
            if receipt is not None:
                log.info("online application repeated: case=%s", receipt.tracking_number)
                return receipt
        raise
    log.info("online application received: case=%s", case.tracking_number)
    labels = labels or {}
    return _receipt(
        case, case.query_code, attachments=names, business_type=labels.get("business_type")
    )


# ---- 查询 -------------------------------------------------------------------------------

_DUMMY_HASH = hash_query_code("no such case")


def find_case(tracking_number, query_code):
    """The case with this tracking number and 查询码, or None: the caller cannot tell an
    unknown number from a wrong code (both None, both check one keyed digest)."""
    number = str(tracking_number or "").strip()
    cases = Case.objects.select_related("agency")
    case = cases.filter(tracking_number=number).first() if number else None
    if case is None and number and number.upper() != number:
        case = cases.filter(tracking_number=number.upper()).first()
    if case is None:
        Case(query_code_hash=_DUMMY_HASH).check_query_code(query_code)  # same work either way
        return None
    return case if case.check_query_code(query_code) else None
