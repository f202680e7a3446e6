"""`python -m xuanyuan chat --model DIR`: interactive, streaming, multi-turn; `--prompt` answers once (for scripts).

Interactive commands: an empty line does nothing, `/reset` clears the history, `/exit` (or EOF) quits.
When the conversation outgrows the model's positions the oldest turns are dropped (said once); a
message too long on its own is refused with a note, and the session goes on.
"""

from __future__ import annotations

import argparse
import sys

from xuanyuan.chat.settings import GenerationSettings

DEFAULTS = GenerationSettings()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="model directory (models/sft2, models/int8, models/gptq4, ...)")
    parser.add_argument("--prompt", help="answer this one question and exit (no interaction)")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: CUDA when present)")
    parser.add_argument("--max-new-tokens", type=int, default=DEFAULTS.max_new_tokens)
    parser.add_argument("--temperature", type=float, default=DEFAULTS.temperature, help="0 = greedy")
    parser.add_argument("--top-p", type=float, default=DEFAULTS.top_p)
    parser.add_argument("--repetition-penalty", type=float, default=DEFAULTS.repetition_penalty)
    parser.add_argument("--seed", type=int, help="seed the sampler (same answer every run)")
    parser.add_argument("--system", help="system message (default: XuanYuan-70B-Chat's released one)")


def run(args: argparse.Namespace, stdin=sys.stdin, stdout=sys.stdout) -> int:
    # torch and transformers load here, not at import: `python -m xuanyuan --help` and check-config stay quick
    from xuanyuan.chat.loading import load_for_inference

    settings = GenerationSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, top_p=args.top_p,
                                  repetition_penalty=args.repetition_penalty, seed=args.seed)
    model, tokenizer = load_for_inference(args.model, args.device)
    from xuanyuan.chat.session import ChatSession, MessageTooLong

    def note(message: str) -> None:
        stdout.write(f"({message})\n")

    session = ChatSession(model, tokenizer, settings, system=args.system, notice=note)

    def emit(piece: str) -> None:
        stdout.write(piece)
        stdout.flush()

    if args.prompt is not None:
        session.reply(args.prompt, stream=emit)
        stdout.write("\n")
        return 0
    stdout.write(f"{args.model}: type a question; /reset clears the history, /exit quits.\n")
    while True:
        stdout.write("Human: ")
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip() == "/exit":
            return 0
        question = line.strip()
        if not question:
            continue
        if question == "/reset":
            session.reset()
            stdout.write("(history cleared)\n")
            continue
        try:
            session.fit_prompt(question)  # any notice about dropped turns comes before the answer, not inside it
        except MessageTooLong as exc:
            note(str(exc))
            continue
        stdout.write("Assistant: ")
        session.reply(question, stream=emit)
        stdout.write("\n")
