import type { Command } from "commander";
import type { ActionBody } from "../cli-context";

/** Wraps a command body into a commander action bound to this run. */
export type ActionFactory = <A extends unknown[]>(
  body: ActionBody<A>,
) => (...args: unknown[]) => Promise<void>;

/** Adds a group of commands to the program. */
export type Register = (program: Command, action: ActionFactory) => void;
