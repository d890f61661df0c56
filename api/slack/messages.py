"""Block Kit for review messages: what a person needs to decide, and the buttons to do it."""

from __future__ import annotations

from typing import Any

APPROVE, REJECT, RELABEL, EDIT = "pt_approve", "pt_reject", "pt_relabel", "pt_edit"
EDIT_MODAL = "pt_edit_modal"
MAX_FIELDS = 12


def _text(markdown: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown[:2900]}}


def _summary(doc_id: str, payload: dict[str, Any]) -> list[dict[str, Any]]:
    confidence = payload.get("confidence")
    conf = f"{confidence:.1%}" if isinstance(confidence, int | float) else "n/a"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Document needs review"}},
        _text(f"*{payload.get('filename') or doc_id[:12]}* · `{doc_id[:12]}`\n"
              f"*Type:* {payload.get('label') or 'unknown'} · *Confidence:* {conf}\n"
              f"*Band:* {payload.get('band')} — {payload.get('band_reason') or ''}"),
    ]
    fields = payload.get("fields") or {}
    if fields:
        lines = [f"• {k}: `{v}`" for k, v in list(fields.items())[:MAX_FIELDS]]
        blocks.append(_text("*Key fields*\n" + "\n".join(lines)))
    failed = payload.get("failed_rules") or []
    if failed:
        lines = [f"• {r.get('rule_id')}: {r.get('message')}" for r in failed]
        blocks.append(_text("*Failed rules*\n" + "\n".join(lines)))
    reasons = payload.get("review_reasons") or []
    if reasons:
        blocks.append(_text("*Why review*\n" + "\n".join(f"• {r}" for r in reasons)))
    if payload.get("llm_rationale"):
        blocks.append(_text(f"*LLM rationale*\n>{payload['llm_rationale']}"))
    return blocks


def screen_link(screen_url: str | None) -> list[dict[str, Any]]:
    """A link to the document's review screen in the web app (its page, evidence boxes)."""
    if not screen_url:
        return []
    return [_text(f"<{screen_url}|Open the review screen> · the page, each field's evidence "
                  "box and the lineage")]


def review_blocks(doc_id: str, payload: dict[str, Any],
                  screen_url: str | None = None) -> list[dict[str, Any]]:
    """The message posted when a document needs review, with its decision buttons and a link
    to the web app's review screen."""
    labels = [label for label in payload.get("allowed_labels") or [] if label][:100]
    actions: list[dict[str, Any]] = [
        {"type": "button", "action_id": APPROVE, "style": "primary", "value": doc_id,
         "text": {"type": "plain_text", "text": "Approve"}},
        {"type": "button", "action_id": REJECT, "style": "danger", "value": doc_id,
         "text": {"type": "plain_text", "text": "Reject"}},
        {"type": "button", "action_id": EDIT, "value": doc_id,
         "text": {"type": "plain_text", "text": "Edit fields"}},
    ]
    if labels:
        actions.append({
            "type": "static_select", "action_id": RELABEL,
            "placeholder": {"type": "plain_text", "text": "Change label"},
            "options": [{"text": {"type": "plain_text", "text": label},
                         "value": f"{doc_id}|{label}"} for label in labels]})
    return [*_summary(doc_id, payload), *screen_link(screen_url),
            {"type": "actions", "block_id": "decide", "elements": actions}]


def unknown_label(label: str, payload: dict[str, Any]) -> str | None:
    """Why `label` cannot be chosen for this review (not in the bundle's label set), or None."""
    allowed = [name for name in payload.get("allowed_labels") or [] if name]
    if label in allowed:
        return None
    choose = f"choose one of {', '.join(allowed)}" if allowed else "this review offers none"
    return (f"Label {label!r} is not one of this classifier's labels; {choose}. Nothing "
            "changed: the review is still waiting for a decision.")


def decided_blocks(doc_id: str, payload: dict[str, Any], decision: dict[str, Any] | None,
                   reviewer: str | None, status: str | None) -> list[dict[str, Any]]:
    """The same message once decided: no buttons, the outcome and who decided."""
    action = (decision or {}).get("action", "decided")
    detail = ""
    if action == "relabel":
        detail = f" → {decision.get('label')}"  # type: ignore[union-attr]
    elif action == "edit":
        detail = " (" + ", ".join(f"{k}={v}" for k, v in (decision or {})
                                   .get("fields", {}).items()) + ")"
    outcome = f":white_check_mark: *{action}{detail}* by *{reviewer}* — document is {status}"
    return [*_summary(doc_id, payload), _text(outcome)]


def edit_modal(doc_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A modal with one text input per extracted field (empty fields may be filled in)."""
    names = list(fields)[:MAX_FIELDS] or ["note"]
    inputs = [{
        "type": "input", "block_id": f"f_{name}", "optional": True,
        "label": {"type": "plain_text", "text": name[:2000]},
        "element": {"type": "plain_text_input", "action_id": "value",
                    **({"initial_value": str(fields[name])} if fields.get(name) not in
                       (None, "") else {})},
    } for name in names]
    return {"type": "modal", "callback_id": EDIT_MODAL, "private_metadata": doc_id,
            "title": {"type": "plain_text", "text": "Edit fields"},
            "submit": {"type": "plain_text", "text": "Save and approve"},
            "blocks": inputs}


def modal_fields(view: dict[str, Any]) -> dict[str, str]:
    """The values a person typed into the edit modal, by field name."""
    values = view.get("state", {}).get("values", {})
    out: dict[str, str] = {}
    for block_id, inputs in values.items():
        value = (inputs.get("value") or {}).get("value")
        if block_id.startswith("f_") and value not in (None, ""):
            out[block_id[2:]] = value
    return out
