"""iCalendar (RFC 5545) documents of gatherings, built with the ``icalendar`` library.

Times are written in the gathering's own time zone (``DTSTART;TZID=Europe/Rome``) with the
matching VTIMEZONE, so clients show the right wall-clock time across DST; the UID is stable per
gathering, SEQUENCE follows every change and a cancellation stays as ``STATUS:CANCELLED`` so
subscribed clients remove it rather than keep a stale copy.
"""

from collections.abc import Callable, Iterable

from icalendar import Calendar, Event, vGeo, vText

from events.domain.gatherings import Gathering

PRODID = "-//Cerchia//Events//EN"
UID_DOMAIN = "events.cerchia"


def uid(gathering: Gathering) -> str:
    """Stable UID: the same gathering is the same calendar entry in every feed."""
    return f"{gathering.id}@{UID_DOMAIN}"


def _event(g: Gathering, *, with_link: bool, with_address: bool) -> Event:
    d = g.details
    event = Event()
    event.add("uid", uid(g))
    # DTSTAMP is the last change, not the fetch time, so an unchanged feed is byte-identical.
    event.add("dtstamp", g.updated_at)
    event.add("last-modified", g.updated_at)
    event.add("created", g.created_at)
    event.add("sequence", g.sequence)
    event.add("summary", d.title)
    event.add("dtstart", g.local(g.starts_at))
    event.add("dtend", g.local(g.ends_at))
    event.add("status", "CANCELLED" if g.cancelled else "CONFIRMED")
    event.add("class", "PUBLIC" if d.visibility == "public" else "PRIVATE")
    description = d.description
    if with_link and d.online_link:
        event.add("url", d.online_link)
        description = f"{description}\n\n{d.online_link}".strip()
    if description:
        event.add("description", description)
    location = []
    if d.venue is not None:
        location.append(d.venue.name)
        if with_address:
            location.append(d.venue.address)
            if d.venue.latitude is not None and d.venue.longitude is not None:
                event.add("geo", vGeo((d.venue.latitude, d.venue.longitude)))
    elif with_link and d.online_link:
        location.append(d.online_link)
    if location:
        event.add("location", vText(", ".join(location)))
    return event


class ICalendarFiles:
    """``CalendarFiles`` with the ``icalendar`` library."""

    def calendar(
        self,
        gatherings: Iterable[Gathering],
        *,
        name: str,
        with_link: Callable[[Gathering], bool],
        with_address: Callable[[Gathering], bool],
    ) -> bytes:
        """A ``text/calendar`` document; ``with_link``/``with_address`` say what each shows."""
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        for gathering in gatherings:
            cal.add_component(
                _event(
                    gathering,
                    with_link=with_link(gathering),
                    with_address=with_address(gathering),
                )
            )
        cal.add_missing_timezones()
        return bytes(cal.to_ical())
