/**
 * Slack's published Block Kit limits (api.slack.com/reference/block-kit: blocks, block elements,
 * composition objects), for the parts our messages use. Slack answers a message over any of them
 * with `invalid_blocks`, which is terminal: the request would get no message at all. The renderer
 * fits its text to these numbers, and {@link blockKitProblems} checks a whole message against them.
 */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  blockId: 255,
  actionId: 255,
  headerText: 150,
  sectionText: 3000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  selectPlaceholder: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  /** Slack truncates a message's top-level text past this many characters. */
  messageText: 4000,
} as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;
const textOf = (value: unknown): string =>
  isObject(value) && typeof value.text === "string" ? value.text : "";
const length = (value: unknown): number => (typeof value === "string" ? value.length : 0);

/**
 * Every way a message breaks a Block Kit limit, as `path: what` lines; empty when it fits.
 *
 * @param message - a message as posted: its `text` and `blocks`
 */
export function blockKitProblems(message: {
  readonly text?: string;
  readonly blocks: readonly unknown[];
}): string[] {
  const L = BLOCK_KIT_LIMITS;
  const problems: string[] = [];
  const over = (path: string, actual: number, max: number) => {
    if (actual > max) problems.push(`${path}: ${actual} > ${max}`);
  };
  over("text", length(message.text), L.messageText);
  over("blocks", message.blocks.length, L.blocksPerMessage);
  for (const [i, block] of message.blocks.entries()) {
    const at = `blocks[${i}]`;
    if (!isObject(block)) {
      problems.push(`${at}: not an object`);
      continue;
    }
    over(`${at}.block_id`, length(block.block_id), L.blockId);
    if (block.type === "header") over(`${at}.text`, textOf(block.text).length, L.headerText);
    if (block.type === "section") over(`${at}.text`, textOf(block.text).length, L.sectionText);
    const elements = Array.isArray(block.elements) ? block.elements : [];
    if (block.type === "context") {
      over(`${at}.elements`, elements.length, L.contextElements);
      for (const [j, e] of elements.entries())
        over(`${at}.elements[${j}].text`, textOf(e).length, L.contextText);
    }
    if (block.type === "actions") {
      over(`${at}.elements`, elements.length, L.actionsElements);
      for (const [j, e] of elements.entries()) problems.push(...elementProblems(e, `${at}.elements[${j}]`));
    }
  }
  return problems;
}

function elementProblems(element: unknown, at: string): string[] {
  const L = BLOCK_KIT_LIMITS;
  if (!isObject(element)) return [`${at}: not an object`];
  const problems: string[] = [];
  const over = (path: string, actual: number, max: number) => {
    if (actual > max) problems.push(`${at}${path}: ${actual} > ${max}`);
  };
  over(".action_id", length(element.action_id), L.actionId);
  if (element.type === "button") {
    over(".text", textOf(element.text).length, L.buttonText);
    over(".value", length(element.value), L.buttonValue);
  }
  if (element.type === "static_select") {
    over(".placeholder", textOf(element.placeholder).length, L.selectPlaceholder);
    const options = Array.isArray(element.options) ? element.options : [];
    over(".options", options.length, L.selectOptions);
    for (const [k, o] of options.entries()) {
      over(`.options[${k}].text`, textOf(isObject(o) ? o.text : undefined).length, L.optionText);
      over(`.options[${k}].value`, length(isObject(o) ? o.value : undefined), L.optionValue);
    }
  }
  return problems;
}
