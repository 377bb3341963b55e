"""How people reach the assistant: checks every channel applies (``inbound``), the texts a
channel says itself (``texts``), and the Telegram bridge (``telegram``, with its Rasa REST
client ``rasa_client`` and its message formatting ``telegram_format``). No Rasa import:
the Rasa side of a channel is in ``rasa_components/``."""
