import { h } from "./dom";
import { ConfirmOptions, modalDialog } from "./dialog";

export interface AskOptions extends ConfirmOptions {
  /** A text field to fill in (e.g. a new name); without it the dialog only confirms. */
  input?: { label: string; value: string };
}

/**
 * Like confirmDialog but with a required field of its own instead of a reason (the registry cannot store a reason):
 * resolves to the field's trimmed value ("" when there is no field) when confirmed, or null when cancelled.
 */
export function askDialog(options: AskOptions): Promise<string | null> {
  const field = options.input
    ? h("input", { type: "text", name: "value", required: true, "aria-label": options.input.label, value: options.input.value })
    : undefined;
  return modalDialog({
    ...options,
    body: field ? h("label", { class: "stacked" }, options.input!.label, field) : undefined,
    focus: field,
    value: () => field?.value.trim() ?? "",
  });
}
