"""The readable form of an assessment, for a person: the command line and the chat.

Every sentence comes from the Babel catalogs, so the same answer reads the same in
the terminal, in Rasa shell and on Telegram.
"""

from __future__ import annotations

from bot.eligibility import Assessment
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
_CONTACT_LABELS = {
    "phone": N_("Phone"),
    "address": N_("Address"),
    "url": N_("Web"),
    "email": N_("E-mail"),
}


def text(assessment: Assessment, _: Translator) -> str:
    """The whole answer as plain text: each service with why, whom to contact and the source."""
    lines: list[str] = [_("What you are entitled to, and whom to contact:"), ""]
    for number, rec in enumerate(assessment.recommendations, 1):
        kind = _("Your right under the Integration Act") if rec.statutory else _("Suggestion")
        lines.append(f"{number}. {_(SERVICE_TITLES[rec.service])}: {rec.provider} ({kind})")
        lines.append("   " + _("Why: {reason}", reason=rec.reason))
        if rec.assumed:
            lines.append(
                "   "
                + _("This assumes that less than three years have passed since your first residence permit.")
            )
        for key_, value in rec.contact.items():
            lines.append(f"   {_(_CONTACT_LABELS[key_])}: {value}")
        lines.append("   " + _("Source: {source}", source=rec.source))
        lines.append("")
    if assessment.not_entitled:
        lines.append(_("Not available to you:"))
        for item in assessment.not_entitled:
            lines.append(f"- {_(SERVICE_TITLES[item.service])}: {item.reason}")
            lines.append("  " + _("Source: {source}", source=item.source))
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
