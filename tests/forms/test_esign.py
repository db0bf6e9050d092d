"""On-screen signatures on the 委托书: the image on the signing line with the time and the content digest, the same on
a reprint; a signature given before the content changed is not printed; no signature keeps the paper's blank lines."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from pypdf import PdfReader

from desktop import forms
from desktop.domain import wording
from desktop.forms import printing
from desktop.forms.esign import STALE
from desktop.storage import esign
from tests.forms.conftest import accept, draft, pypdf_text, squeeze

ROUND = (("mandate", "principal"), ("mandate", "proxy"), ("consent", "principal"))


def scribble(seed: int) -> bytes:
    im = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(im)
    draw.line([(20 + 40 * i, 100 + (seed * 17 + 37 * i) % 80 - 40) for i in range(14)], fill=0, width=6)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def sign(store, case) -> str:
    digest = forms.consent_digest(store.load(case.uuid), store.catalog)
    esign.save(store, case.uuid, [esign.Given(p, s, scribble(n), digest) for n, (p, s) in enumerate(ROUND)],
               actor="lixiaolan")
    return digest


def images(pdf: bytes) -> list[bytes]:
    return [im.data for page in PdfReader(io.BytesIO(pdf)).pages for im in page.images]


def test_signed_on_screen_before_acceptance_the_consent_prints_the_images_time_and_digest(store):
    case = draft(store, 3, seed=4)
    store.save_draft(case)
    digest = sign(store, case)
    case = accept(store, store.load(case.uuid))
    job = printing.prepare(store, case.number, "consent")
    assert len(images(job.pdf)) == 3
    text = squeeze(pypdf_text(job.pdf))
    assert text.count(f"内容摘要{digest}") == 3 and text.count("电子签名") == 3
    assert digest == forms.consent_digest(store.load(case.uuid), store.catalog)
    printing.record(store, job, actor="lixiaolan")
    again = printing.prepare(store, case.number, "consent")
    assert again.reprint and images(again.pdf) == images(job.pdf)  # a reprint shows the same signatures


def test_the_timeline_says_who_signed_what_never_the_image(store):
    case = draft(store, 3, seed=4)
    store.save_draft(case)
    sign(store, case)
    entries = [e for e in store.events(case.uuid) if e["kind"] == "esign"]
    assert [(e["detail"]["part"], e["detail"]["signer"]) for e in entries] == list(ROUND)
    said = wording.describe(entries[1]["detail"])
    assert "文书：代办服务委托书" in said and "签名人：受托人" in said and "内容摘要" in said
    assert all(set(e["detail"]) == {"part", "signer", "digest", "sha256"} for e in entries)
    assert wording.event_label("esign") == "电子签名"


def test_a_signature_given_before_the_content_changed_is_not_printed(store):
    case = draft(store, 3, seed=4)
    store.save_draft(case)
    sign(store, case)
    case = store.load(case.uuid)
    case.proxy.phone = "13900000000"  # edited after the signing
    store.save_draft(case)
    job = printing.prepare(store, case.uuid, "consent")
    assert images(job.pdf) == []
    assert squeeze(pypdf_text(job.pdf)).count(squeeze(STALE)) == 3


def test_without_on_screen_signatures_the_paper_keeps_its_blank_lines(store):
    case = accept(store, draft(store, 3, seed=4))
    pdf = printing.prepare(store, case.number, "consent").pdf
    assert images(pdf) == [] and "电子签名" not in pypdf_text(pdf)
