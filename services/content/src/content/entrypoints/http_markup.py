"""HTTP route of the Markdown preview: a draft rendered by the same sanitiser as a post, so
every client shows what will be published without rendering untrusted Markdown itself."""

from fastapi import APIRouter

from cerchia_chassis.auth import CurrentUser
from content.domain import markup
from content.domain.limits import LESSON_BODY_MAX
from content.entrypoints.schemas import documented
from content.entrypoints.schemas_discussions import PreviewOut, PreviewRequest

router = APIRouter(prefix="/api/v1", tags=["discussions"], responses=documented(401))


@router.post(
    "/markdown/preview",
    response_model=PreviewOut,
    summary="Preview Markdown",
    responses=documented(422),
)
async def preview(body: PreviewRequest, me: CurrentUser) -> PreviewOut:
    """The sanitized HTML a post with this Markdown would show (nothing is stored)."""
    del me  # signed-in callers only: the renderer is not a free service for the web at large
    rendered = markup.preview(body.markdown, max_length=LESSON_BODY_MAX)
    return PreviewOut(html=rendered.html, mentions=list(rendered.mentioned_handles))
