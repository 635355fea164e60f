"""The web client's composition root: the gateway client, the session store, assets, pages."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pymongo import AsyncMongoClient

from cerchia_chassis.mongo import Document, build_mongo_client, ensure_indexes
from web.adapters.assets import Assets
from web.adapters.gateway import GatewayClient
from web.adapters.pages import Pages
from web.adapters.session_store import INDEXES, SessionStore
from web.adapters.translations import load_translations
from web.service.unread import UnreadCounts
from web.service.visits import Lifetimes
from web.settings import WebSettings

PACKAGE = Path(__file__).resolve().parent
SERVICE = PACKAGE.parent.parent


@dataclass(frozen=True)
class Container:
    """What the entrypoints use."""

    settings: WebSettings
    gateway: GatewayClient
    mongo: AsyncMongoClient[Document]
    sessions: SessionStore
    lifetimes: Lifetimes
    assets: Assets
    pages: Pages
    unread: UnreadCounts

    @classmethod
    async def build(cls, settings: WebSettings, assets: Assets, pages: Pages) -> "Container":
        """Connect (lazily) and make sure the session store's indexes exist."""
        mongo = build_mongo_client(settings)
        db = mongo[settings.mongo_database or settings.service_name]
        await ensure_indexes(db, INDEXES)
        return cls(
            settings=settings,
            gateway=GatewayClient(settings.gateway_url, timeout_s=settings.gateway_timeout_s),
            mongo=mongo,
            sessions=SessionStore(db),
            lifetimes=Lifetimes(
                signed_in=timedelta(seconds=settings.session_ttl_s),
                anonymous=timedelta(seconds=settings.anonymous_session_ttl_s),
            ),
            assets=assets,
            pages=pages,
            unread=UnreadCounts(fresh_s=settings.unread_fresh_s),
        )

    async def aclose(self) -> None:
        """Release the pools."""
        await self.gateway.aclose()
        await self.mongo.close()


def load_assets(settings: WebSettings) -> Assets:
    """The browser assets: npm's (``npm ci`` in the service folder) and the client's own."""
    node_modules = (
        Path(settings.node_modules) if settings.node_modules else SERVICE / "node_modules"
    )
    return Assets.load(node_modules, PACKAGE / "static")


def build_pages(assets: Assets) -> Pages:
    """Templates with the catalogs of every language."""
    return Pages(assets, load_translations(PACKAGE / "locales"))
