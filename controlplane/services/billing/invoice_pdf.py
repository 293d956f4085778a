"""An invoice or credit note as a PDF: one A4 page drawn with fpdf2 from the issued document."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from shared.enums import DocumentKind
from shared.money import format_amount
from shared.wire.billing import InvoiceOut

TITLES = {DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "Credit note"}


def _text(value: str) -> str:
    # The PDF core fonts (Helvetica) encode Latin-1 only; a name outside it is printed
    # with "?" for the letters it cannot show rather than failing the download. The
    # JSON document keeps every character.
    return value.encode("latin-1", "replace").decode("latin-1")


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def filename(invoice: InvoiceOut) -> str:
    return f"{invoice.number}.pdf"


def render(invoice: InvoiceOut) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{TITLES[invoice.kind]} {invoice.number}")
    pdf.set_author(_text(invoice.seller.name))
    pdf.add_page()
    width = pdf.epw

    def row(text: str, size: int = 10, style: str = "", align: str = "L") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.cell(width, 6, _text(text), align=align, new_x="LMARGIN", new_y="NEXT")

    row(f"{TITLES[invoice.kind]} {invoice.number}", 18, "B")
    row(f"Issued {_day(invoice.issued_at)}")
    if invoice.period_start and invoice.period_end:
        row(f"Period {_day(invoice.period_start)} to {_day(invoice.period_end)}")
    pdf.ln(4)
    row("From", style="B")
    row(invoice.seller.name)
    if invoice.seller.address:
        row(invoice.seller.address)
    if invoice.seller.vat_id:
        row(f"VAT ID {invoice.seller.vat_id}")
    pdf.ln(2)
    row("To", style="B")
    row(invoice.buyer.name)
    if invoice.buyer.email:
        row(invoice.buyer.email)
    pdf.ln(6)

    money = width * 0.25
    description = width - 2 * money - 20

    def columns(cells: tuple[str, str, str, str], style: str = "") -> None:
        pdf.set_font("Helvetica", style, 10)
        for text, w, align in zip(
            cells, (description, 20, money, money), ("L", "R", "R", "R"), strict=True
        ):
            pdf.cell(w, 7, _text(text), border="B", align=align)
        pdf.ln()

    columns(("Description", "Qty", "Unit price", "Amount"), "B")
    for line in invoice.lines:
        columns(
            (
                line.description,
                str(line.quantity),
                format_amount(line.unit_amount, invoice.currency),
                format_amount(line.amount, invoice.currency),
            )
        )
    pdf.ln(4)
    rate = f"{invoice.tax_rate // 100}.{invoice.tax_rate % 100:02d} %"
    row(f"Subtotal {format_amount(invoice.subtotal, invoice.currency)}", align="R")
    row(f"Tax ({rate}) {format_amount(invoice.tax, invoice.currency)}", align="R")
    row(f"Total {format_amount(invoice.total, invoice.currency)}", 12, "B", align="R")
    pdf.ln(4)
    row("Prices include tax.", 8)
    if invoice.kind is DocumentKind.CREDIT_NOTE:
        row("The total was credited to your wallet.", 8)
    return bytes(pdf.output())
