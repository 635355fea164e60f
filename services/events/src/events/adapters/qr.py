"""QR codes for check-in, rendered as SVG with segno."""

import io

import segno


class SegnoQrCodes:
    """``QrCodes`` with segno."""

    def svg(self, payload: str) -> str:
        """An SVG QR code of ``payload`` (what the host shows at the door)."""
        buffer = io.BytesIO()
        segno.make(payload, error="m").save(buffer, kind="svg", scale=6, border=2)
        return buffer.getvalue().decode()
