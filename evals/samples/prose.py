"""Builders for the prose document kinds: contract, letter, memo, resume.

Each builder lays a document out on a `Page` and returns its ground-truth fields.
"""

from __future__ import annotations

from evals.samples.layout import Page
from evals.samples.values import CITIES, ROLES, SCHOOLS, SUBJECTS, Values, header_block

CLAUSES = [
    ("Services", "The Provider shall perform the services described in Schedule A with "
                 "reasonable skill and care and in accordance with good industry practice."),
    ("Fees", "The Client shall pay the fees set out in Schedule B within thirty days of "
             "receipt of a valid invoice. Late payments accrue interest at the statutory rate."),
    ("Confidentiality", "Each party shall keep confidential all information disclosed by the "
                        "other party and shall not use it except for the purposes of this "
                        "Agreement."),
    ("Liability", "Neither party limits its liability for death or personal injury caused by "
                  "negligence. Otherwise total liability shall not exceed the fees paid."),
    ("Termination", "Either party may terminate this Agreement by giving the other not less "
                    "than ninety days' written notice."),
    ("Data protection", "The parties shall comply with all applicable data protection laws "
                        "when processing personal data under this Agreement."),
    ("Assignment", "Neither party may assign or transfer its rights under this Agreement "
                   "without the prior written consent of the other party."),
]


def contract(page: Page, v: Values) -> dict:
    r = v.rng
    title = r.choice(["SERVICES AGREEMENT", "Master Services Agreement", "SUPPLY CONTRACT",
                      "Consulting Agreement"])
    party_a, party_b = v.company(), v.company()
    effective = v.day()
    term = r.choice([6, 12, 24, 36])
    law = r.choice(["England and Wales", "Germany", "the Netherlands", "Ireland", "France"])
    page.text(title, 16, bold=True, align="center")
    page.space(8)
    page.paragraph(f"This Agreement is made on {v.date_text(effective, r.randint(2, 3))} "
                   f"between {party_a} (the \"Provider\") and {party_b} (the \"Client\").")
    page.paragraph(f"The Agreement commences on the effective date and continues for {term} "
                   f"months unless terminated earlier in accordance with its terms.")
    clauses = r.sample(CLAUSES, k=r.randint(4, len(CLAUSES)))
    for n, (heading, body) in enumerate(clauses, start=1):
        page.space(4)
        page.text(f"{n}. {heading}", 11, bold=True)
        page.paragraph(body, 9.5, indent=14)
    page.space(4)
    page.text(f"{len(clauses) + 1}. Governing law", 11, bold=True)
    page.paragraph(f"This Agreement is governed by the laws of {law}.", 9.5, indent=14)
    page.space(16)
    signer_a, signer_b = v.person(), v.person()
    page.columns([f"For {party_a}", f"For {party_b}"], [0, 260], size=9.5)
    page.columns(["Signature: ____________", "Signature: ____________"], [0, 260], size=9.5)
    page.columns([signer_a, signer_b], [0, 260], size=9.5)
    return {"title": title, "parties": [party_a, party_b], "effective_date": effective.isoformat(),
            "term_months": term, "governing_law": law, "signatories": [signer_a, signer_b]}


BODIES = [
    "Thank you for your letter regarding {topic}. We have reviewed the matter carefully and "
    "are pleased to confirm that the necessary steps have been taken.",
    "I am writing to follow up on our recent conversation about {topic}. As agreed, please find "
    "the relevant details summarised below for your records.",
    "We would like to inform you of a change concerning {topic}. The change takes effect from "
    "the first day of next month and requires no action on your part.",
    "Please accept our apologies for the delay in responding about {topic}. Our team has now "
    "completed its review and we expect to resolve the issue shortly.",
]


def letter(page: Page, v: Values) -> dict:
    r = v.rng
    sender_org = v.company()
    sender_address = header_block(page, v, sender_org, r.choice(["left", "right", "center"]))
    page.space(18)
    recipient = v.person()
    page.text(recipient, 10)
    page.text(v.company(), 10)
    for line in v.address():
        page.text(line, 10)
    page.space(10)
    sent = v.day()
    page.text(v.date_text(sent, r.randint(2, 3)), 10, align=r.choice(["left", "right"]))
    page.space(10)
    topic = r.choice(SUBJECTS)
    subject = f"Re: {topic.capitalize()}"
    page.text(subject, 10.5, bold=True)
    page.space(6)
    page.text(f"Dear {r.choice(['Mr', 'Ms', 'Dr'])} {recipient.split()[1]},", 10.5)
    for body in r.sample(BODIES, k=r.randint(2, 3)):
        page.space(4)
        page.paragraph(body.format(topic=topic), 10.5)
    page.space(8)
    page.text(r.choice(["Yours sincerely,", "Kind regards,", "Yours faithfully,"]), 10.5)
    page.space(18)
    signer = v.person()
    page.text(signer, 10.5)
    page.text(r.choice(ROLES), 10)
    return {"sender": sender_org, "sender_address": ", ".join(sender_address),
            "recipient": recipient, "date": sent.isoformat(), "subject": subject,
            "signatory": signer}


def memo(page: Page, v: Values) -> dict:
    r = v.rng
    page.text(r.choice(["MEMORANDUM", "Memo", "INTERNAL MEMO"]), 20, bold=True,
              align=r.choice(["left", "center"]))
    page.rule(1.2)
    to, sender = r.choice(["All staff", "Finance team", "Department heads", v.person()]), \
        v.person()
    sent, topic = v.day(), r.choice(SUBJECTS)
    cc = v.person()
    for key, value in [("TO", to), ("FROM", sender), ("CC", cc),
                       ("DATE", v.date_text(sent, r.randint(0, 3))),
                       ("SUBJECT", topic.capitalize())]:
        page.columns([f"{key}:", value], [0, 80], size=10.5, bold=False)
    page.rule(0.6)
    page.space(6)
    page.paragraph(f"This memo sets out the arrangements for the {topic}. Please read it "
                   "carefully and share it with your teams.", 10.5)
    for _ in range(r.randint(2, 4)):
        page.space(3)
        page.text(f"- {r.choice(BULLETS).format(day=v.date_text(v.day(), 2))}", 10.5, indent=10)
    page.space(6)
    page.paragraph("Questions should be sent to the undersigned before the end of the week.", 10.5)
    page.space(8)
    page.text(sender.split()[0][0] + sender.split()[1][0], 10.5, bold=True)
    return {"to": to, "from": sender, "cc": cc, "date": sent.isoformat(),
            "subject": topic.capitalize()}


BULLETS = ["Submit your figures by {day}.", "The new process starts on {day}.",
           "Managers will confirm attendance by {day}.", "Old forms are no longer accepted.",
           "Receipts must be attached to every claim.", "Meeting rooms are booked via the portal."]


def resume(page: Page, v: Values) -> dict:
    r = v.rng
    name = v.person()
    email = f"{name.split()[0].lower()}.{name.split()[1].lower()}@example.com"
    phone = f"+{r.randint(30, 49)} {r.randint(100, 999)} {r.randint(100000, 999999)}"
    align = r.choice(["left", "center"])
    page.text(name, 20, bold=True, align=align)
    page.text(f"{email}  |  {phone}  |  {r.choice(CITIES)[0]}", 9.5, align=align)
    page.rule(0.8)
    sections = ["Profile", "Experience", "Education", "Skills"]
    if r.random() < 0.5:
        sections = ["Experience", "Education", "Skills", "Profile"]
    experience, education = [], []
    for section in sections:
        page.space(6)
        page.text(section.upper() if r.random() < 0.5 else section, 12, bold=True)
        if section == "Profile":
            page.paragraph(f"{r.choice(ROLES)} with {r.randint(2, 20)} years of experience in "
                           "operations, reporting and stakeholder management.", 10)
        elif section == "Experience":
            year = r.randint(2008, 2018)
            for _ in range(r.randint(2, 4)):
                role, company = r.choice(ROLES), v.company()
                end = min(2026, year + r.randint(1, 5))
                experience.append({"role": role, "company": company, "from": year, "to": end})
                page.text(f"{role}, {company}   {year} - {end}", 10, bold=True)
                page.paragraph("Led a team, improved processes and delivered projects on "
                               "time and within budget.", 9.5, indent=12)
                year = end
        elif section == "Education":
            school = r.choice(SCHOOLS)
            degree = r.choice(["BSc Economics", "MSc Computer Science", "BA Business",
                               "MBA", "BEng Mechanical Engineering"])
            education.append({"degree": degree, "school": school})
            page.text(f"{degree}, {school}, {r.randint(1998, 2016)}", 10)
        else:
            skills = r.sample(["Excel", "SQL", "Python", "SAP", "Negotiation", "German",
                               "French", "Budgeting", "Power BI", "Project planning"], k=5)
            page.text(", ".join(skills), 10)
    return {"name": name, "email": email, "phone": phone, "experience": experience,
            "education": education}
