"""Response bodies for calendar feeds."""

from pydantic import BaseModel, Field


class FeedTokenOut(BaseModel):
    """Your personal calendar feed: keep the URL secret; rotate it to revoke the old one."""

    url: str = Field(description="Subscribe to this URL in your calendar app.")
    token: str
