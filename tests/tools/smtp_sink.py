"""A real SMTP server for the mailing tests (aiosmtpd): stores every message
it accepts as one file in a directory (written, then renamed, so a reader sees
whole messages only), or only counts them with --count-only.

Usage: python3 smtp_sink.py --port PORT --dir DIR [--count-only]
Prints "ready" once it listens; runs until killed.
"""

import argparse
import os
import sys
import threading
import time
import uuid

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, directory, count_only):
        self.directory = directory
        self.count_only = count_only
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.count_only:
            with self.lock:
                self.count += 1
            return "250 OK"
        name = uuid.uuid4().hex
        partial = os.path.join(self.directory, "." + name)
        with open(partial, "wb") as out:
            out.write(("X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n").encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(self.directory, name + ".eml"))
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--count-only", action="store_true")
    args = parser.parse_args()
    store = Store(args.dir, args.count_only)
    controller = Controller(store, hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(1)
            if args.count_only:
                with open(os.path.join(args.dir, "count"), "w") as out:
                    out.write(str(store.count))
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
