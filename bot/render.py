"""The readable form of an assessment, for a person: the command line and the chat.

Every sentence comes from the Babel catalogs, so the same answer reads the same in
the terminal, in Rasa shell and on Telegram. A person is shown the publisher and the
address of each source (``source_title``, ``source_url``), never the staff reference
(a seed file name or a notes section): that stays in the §3 payload's ``source``.
"""

from __future__ import annotations

from bot import contacts
from bot.eligibility import Assessment, Recommendation
from bot.facts import FACTS
from bot.i18n import N_, Translator

SERVICE_TITLES = {
    "municipal_integration_services": N_("Integration services of the municipality"),
    "employment_services": N_("Employment services"),
    "integration_social_services": N_("Social services supporting integration"),
    "trafficking_assistance": N_("Assistance for victims of human trafficking"),
    "reception_services": N_("Reception services"),
    "general_guidance": N_("Guidance and information"),
    "emergency": N_("Emergency help"),
}
# The Espoo seed: "At the beginning of the call, say 'tulkki' and the name of the language".
INTERPRETER_TIP = N_(
    'If you need an interpreter on the phone, say "tulkki" and the name of your language '
    "at the start of the call."
)
# What an answer assumed about a fact the person did not give (the rule's test on it).
ASSUMPTIONS = {
    "years_since_first_permit": N_(
        "This assumes that less than three years have passed since your first residence permit."
    ),
    "has_municipality_of_residence": N_(
        "This assumes that you have a municipality of residence (kotikunta) in Finland."
    ),
    "family_of_protection_beneficiary": N_(
        "This assumes that the family member you joined in Finland is not a refugee or a person with international protection."
    ),
}
# One line per step the engine found would open a service (eligibility.STEPS).
OPENINGS = {
    "register_as_jobseeker": N_(
        "If you register as a jobseeker, you would also have a right to: {services}."
    ),
    "get_municipality_of_residence": N_(
        "If you get a municipality of residence (kotikunta), you would also have a right to: {services}."
    ),
}
REVIEW_NOTICE = N_(
    "Note: these rules were due to be checked again on {date}, and the law may have changed since. Check the current rules on InfoFinland ({url}) or ask the contacts below."
)
_CONTACT_LABELS = {
    "phone": N_("Phone"),
    "address": N_("Address"),
    "url": N_("Web"),
    "email": N_("E-mail"),
}


def _page(title: str, url: str) -> str:
    return f"{title} ({url})" if url else title


def review_notice(assessment: Assessment, _: Translator) -> str | None:
    """The line every answer starts with once the rule file is past its ``review_by`` day."""
    if not assessment.review_due or assessment.review_by is None:
        return None
    return _(
        REVIEW_NOTICE,
        date=_.date(assessment.review_by),
        url=contacts.national("infofinland").contact["url"],
    )


def _deadline_line(assessment: Assessment, _: Translator) -> str | None:
    deadline = assessment.deadline
    if deadline is None:
        return None
    limit = _.number(deadline.limit_years)
    if deadline.months_left is None:
        still = [
            f"{_(SERVICE_TITLES[r.service])} ({r.provider})"
            for r in assessment.recommendations
            if r.service != "emergency"
        ]
        return _(
            "The {years} years in which an integration plan can be made have passed. Still open to you: {services}.",
            years=limit,
            services="; ".join(still),
        )
    if deadline.months_left < 2:
        return _(
            "Less than two months are left of the {years} years in which you can ask {provider} for an integration plan: contact them now.",
            years=limit,
            provider=deadline.provider,
        )
    return _(
        "About {months} months are left of the {years} years in which you can ask {provider} for an integration plan: contact them now.",
        months=deadline.months_left,
        years=limit,
        provider=deadline.provider,
    )


def _recommendation(number: int, rec: Recommendation, _: Translator) -> list[str]:
    kind = _("Your right under the Integration Act") if rec.statutory else _("Suggestion")
    lines = [f"{number}. {_(SERVICE_TITLES[rec.service])}: {rec.provider} ({kind})"]
    lines.append("   " + _("Why: {reason}", reason=rec.reason))
    lines.extend("   " + _(ASSUMPTIONS[fact]) for fact in rec.assumed if fact in ASSUMPTIONS)
    for key_, value in rec.contact.items():
        lines.append(f"   {_(_CONTACT_LABELS[key_])}: {value}")
    lines.append("   " + _("Source: {source}", source=_page(rec.source_title, rec.source_url)))
    shown = {rec.source_url, rec.contact.get("url")}
    if rec.contact_source_url and rec.contact_source_url not in shown:
        lines.append(
            "   "
            + _(
                "Contact details from: {source}",
                source=_page(rec.contact_source_title, rec.contact_source_url),
            )
        )
    return lines


def text(assessment: Assessment, _: Translator) -> str:
    """The whole answer as plain text: each service with why, whom to contact and the source."""
    lines: list[str] = []
    notice = review_notice(assessment, _)
    if notice:
        lines.extend([notice, ""])
    lines.extend([_("What you are entitled to, and whom to contact:"), ""])
    for number, rec in enumerate(assessment.recommendations, 1):
        lines.extend(_recommendation(number, rec, _))
        lines.append("")
    deadline = _deadline_line(assessment, _)
    if deadline:
        lines.extend([deadline, ""])
    if assessment.openings:
        for opening in assessment.openings:
            services = "; ".join(f"{_(SERVICE_TITLES[s])} ({p})" for s, p in opening.services)
            lines.append(_(OPENINGS[opening.step], services=services))
        lines.append("")
    if assessment.not_entitled:
        lines.append(_("Not available to you:"))
        for item in assessment.not_entitled:
            lines.append(f"- {_(SERVICE_TITLES[item.service])}: {item.reason}")
            lines.append("  " + _("Source: {source}", source=_page(item.source_title, item.source_url)))
        lines.append("")
    if assessment.would_change:
        lines.append(_("The answer could change if you tell me:"))
        lines.extend(f"- {_(FACTS[f].question)}" for f in assessment.would_change)
        lines.append("")
    lines.append(_(INTERPRETER_TIP))
    lines.append(
        _(
            "Rules valid from {date}: {law}. This is general guidance, not an official decision.",
            date=_.date(assessment.valid_from),
            law=_(assessment.ruleset_title),
        )
    )
    return "\n".join(lines)
