"""Demo conversations in English. Placeholders: {name} (how the agent addresses the customer),
{agent} (the agent's first name), {order} (an order number), {amount} (money with its currency)."""

NUDGE = "I already wrote to you about this and haven't heard back yet. Is there any news?"

STORIES: dict[str, dict[str, str]] = {
    "late_parcel": {
        "subject": "Parcel {order} still not delivered",
        "opening": (
            "Hello, I ordered a parcel two weeks ago (order {order}) and the tracking page has said "
            "“in transit” for six days. It was supposed to arrive within 48 hours. "
            "Can you tell me where it actually is?"
        ),
        "reply": (
            "Hello {name}, I'm sorry your parcel is late. I can see order {order} left our sorting centre, "
            "but the last scan is six days old. I've asked the depot to locate it. Could you confirm the "
            "delivery address and a phone number the courier can call?"
        ),
        "followup": (
            "Thanks. The address is correct, and the courier can call me on the number on my account "
            "any time after 10 am."
        ),
        "closing": (
            "Good news, {name}: the depot found your parcel — it had been put on the wrong route. It is out "
            "for delivery today and the courier will call you before arriving. Sorry again for the wait. — {agent}"
        ),
        "note": (
            "Last scan was at the sorting centre six days ago. Asked the depot manager to trace the parcel; "
            "waiting for their answer."
        ),
    },
    "double_charge": {
        "subject": "Charged twice for my monthly bill",
        "opening": (
            "Hi, my card was charged twice for this month's bill — two payments of {amount} on the same day. "
            "Please refund one of them."
        ),
        "reply": (
            "Hello {name}, thank you for telling us. I can see two payments of {amount} on your account. "
            "Could you send the last four digits of the card so I can match both transactions?"
        ),
        "followup": "The card ends in 4417. Both charges show on my bank statement on the 3rd.",
        "closing": (
            "Thank you, {name}. I've refunded the second payment of {amount}; it should reach your card within "
            "3–5 working days. A payment-gateway retry caused it, and our billing team has fixed that. — {agent}"
        ),
        "note": (
            "Duplicate charge confirmed in the payment gateway log (a retry after a timeout). "
            "Refund requested from finance; waiting for approval."
        ),
    },
    "broken_router": {
        "subject": "Home internet router keeps dropping",
        "opening": (
            "Our home internet has been cutting out every few minutes since yesterday. The router's light is "
            "blinking red. I've already restarted it twice. I work from home, so this is urgent."
        ),
        "reply": (
            "Hello {name}, I'm sorry about the trouble. A blinking red light usually means the router has lost "
            "the line signal. Could you check that the grey cable is firmly plugged in, and tell me the model "
            "written on the sticker underneath?"
        ),
        "followup": "The cable is fine. The sticker says HG8245 and the light is still red.",
        "closing": (
            "Thanks, {name}. The line test showed your router is faulty, so a technician will bring a replacement "
            "tomorrow between 10:00 and 14:00. There is no charge. — {agent}"
        ),
        "note": (
            "Remote line test: signal fine up to the house, router not responding. Booked a technician visit "
            "to replace it; waiting for the slot to be confirmed."
        ),
    },
    "return_item": {
        "subject": "Return request for order {order}",
        "opening": (
            "Hello, I'd like to return the shoes from order {order}. They're a size too small. "
            "How do I send them back, and will I get my money back?"
        ),
        "reply": (
            "Hello {name}, of course. I've emailed you a free return label for order {order}. Please pack the "
            "shoes in the original box and drop the parcel at any post office within 14 days. Which would you "
            "prefer: a refund or an exchange for a larger size?"
        ),
        "followup": "A refund, please. I dropped the parcel at the post office this morning.",
        "closing": (
            "Thanks, {name}. Your return has arrived at our warehouse and I've refunded {amount} to your original "
            "payment method. It may take a few days to show. — {agent}"
        ),
        "note": "Return label issued. Refund once the warehouse confirms the item can be resold.",
    },
    "password_reset": {
        "subject": "Can't log in to my account",
        "opening": (
            "I forgot my password and the reset email never arrives. I've checked the spam folder too. "
            "Please help, I need to see my invoices."
        ),
        "reply": (
            "Hello {name}, sorry for the trouble. I've checked your account: the reset emails were going to an "
            "old address. Can you confirm the email address you'd like to use from now on?"
        ),
        "followup": "Please use this address, the one I'm writing from.",
        "closing": (
            "Done, {name}. I've updated your email and sent a new reset link; it's valid for one hour. "
            "Let me know if it doesn't arrive. — {agent}"
        ),
        "note": (
            "The old email address on the account bounces. Confirmed who they are with the phone number "
            "on file before changing it."
        ),
    },
    "rude_courier": {
        "subject": "Complaint about the courier's behaviour",
        "opening": (
            "I want to complain about the courier who delivered my parcel yesterday. He was rude, threw the "
            "parcel over the gate and left before I could sign. The box was damaged."
        ),
        "reply": (
            "Hello {name}, I'm very sorry — that's not how our couriers should behave. I've passed your complaint "
            "to the depot manager. Could you tell me roughly what time it happened and, if possible, send a photo "
            "of the damaged box?"
        ),
        "followup": "It was around 4 pm. Here is a photo of the box; luckily the item inside is fine.",
        "closing": (
            "Thank you, {name}. The depot manager has spoken to the courier and the route is being reviewed. "
            "As an apology, we've added a voucher for your next delivery to your account. — {agent}"
        ),
        "note": (
            "Complaint forwarded to the depot manager with the delivery time. Waiting for their report "
            "before we answer the customer."
        ),
    },
    "thank_you": {
        "subject": "Thank you for the quick help",
        "opening": (
            "I just wanted to say thank you. My parcel arrived a day early, and the courier even called ahead "
            "to check I was home. Great service!"
        ),
        "reply": (
            "Hello {name}, thank you so much for your kind words! I'll pass them on to the courier and the depot "
            "team. May we share your message in our team newsletter?"
        ),
        "followup": "Of course, please do.",
        "closing": "Thank you, {name}! Your message has been shared with the whole team. Have a lovely day. — {agent}",
        "note": "Praise for the courier on this route. Shared with the depot manager for the monthly recognition.",
    },
    "customs": {
        "subject": "Parcel held at customs",
        "opening": (
            "My parcel from abroad (order {order}) has been stuck at customs for a week. The tracking says "
            "“documents required”. What documents do I need and where do I send them?"
        ),
        "reply": (
            "Hello {name}, for parcels above the duty-free limit customs needs a copy of the invoice and a copy "
            "of your ID. You can reply to this message with both files and we'll pass them to the customs broker."
        ),
        "followup": "Here are the invoice and my ID. How long will it take now?",
        "closing": (
            "Thank you, {name}. Customs released your parcel today; it will be delivered within two working days. "
            "The duty has been paid from your deposit. — {agent}"
        ),
        "note": (
            "Documents forwarded to the customs broker. Clearance usually takes 2–3 working days; "
            "waiting for the release notice."
        ),
    },
    "paper_invoice": {
        "subject": "Please send my invoices by post",
        "opening": (
            "Dear Sir or Madam, I am 78 years old and I do not use the internet much. Please send my monthly "
            "invoices and the new contract by post to my home address instead of by email. Thank you."
        ),
        "reply": (
            "Dear {name}, thank you for your letter. We will gladly send your invoices by post. Please confirm "
            "your postal address, and let us know whether you would also like a phone call when a new invoice "
            "is sent."
        ),
        "followup": "The address on my account is correct. Yes, a phone call would be helpful.",
        "closing": (
            "Dear {name}, from next month your invoices will arrive by post, and a copy of your new contract went "
            "in the mail today. We will call you whenever an invoice is sent. Kind regards, {agent}"
        ),
        "note": "Switched the account to paper invoices. The mail room will print and post the contract copy.",
    },
    "address_change": {
        "subject": "Change the delivery address for order {order}",
        "opening": (
            "Hello, I won't be at home this week. Can you deliver order {order} to my office instead? "
            "The parcel is already on its way."
        ),
        "reply": (
            "Hello {name}, we can still redirect the parcel, as it hasn't reached the local depot yet. Please send "
            "the full office address and the name of the person who can receive it."
        ),
        "followup": (
            "Please deliver it to the reception of my office: same street, building 12, 3rd floor. "
            "Ask for the receptionist."
        ),
        "closing": (
            "Done, {name}: the parcel for order {order} has been redirected to your office and should arrive "
            "tomorrow. — {agent}"
        ),
        "note": (
            "Redirect requested in the carrier's system before the parcel reached the local depot. "
            "Waiting for the carrier to confirm."
        ),
    },
}
