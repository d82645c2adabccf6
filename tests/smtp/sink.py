"""SMTP sink for Polder's e-mail tests: a real SMTP server (aiosmtpd) that keeps what it gets.

Usage: python sink.py OUTPUT_DIR

Listens on 127.0.0.1 on a port chosen by the OS and prints "LISTENING <port>" on stdout once
it accepts connections. Every message it receives is written, before the server answers
250 to DATA, as OUTPUT_DIR/<n>.eml (raw bytes) and OUTPUT_DIR/<n>.json: the envelope plus the
message parsed by Python's standard e-mail parser (decoded subject, headers, and each MIME
part decoded to text). Exits on SIGTERM/SIGINT or when stdin is closed (the test went away).
"""

import asyncio
import email
import json
import os
import signal
import sys
import threading
from email import policy

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = f"{self.count:04d}"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            if isinstance(content, bytes):
                content = content.decode("utf-8", "replace")
            parts.append(
                {
                    "content_type": part.get_content_type(),
                    "charset": part.get_content_charset(),
                    "transfer_encoding": part.get("Content-Transfer-Encoding"),
                    "content": content.replace("\r\n", "\n"),
                }
            )
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "to": str(message["to"]),
            "content_type": message.get_content_type(),
            "headers": {key.lower(): str(value) for key, value in message.items()},
            "parts": parts,
        }
        write_atomically(os.path.join(self.out_dir, name + ".eml"), raw)
        write_atomically(
            os.path.join(self.out_dir, name + ".json"),
            json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"),
        )
        return "250 OK"


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as file:
        file.write(data)
    os.replace(tmp, path)


async def main(out_dir):
    loop = asyncio.get_running_loop()
    handler = Handler(out_dir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="polder-test-sink"), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"LISTENING {port}", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sink.py OUTPUT_DIR")
    asyncio.run(main(sys.argv[1]))
