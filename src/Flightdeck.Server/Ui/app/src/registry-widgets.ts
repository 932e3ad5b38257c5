// Editors shared by the model and version pages: tags (set, edit, delete) and a description.
import { KeyValue } from "./api";
import { askDialog } from "./ask-dialog";
import { errorBox, h, replace, showError } from "./dom";

export interface TagsEditorOptions {
  /** The table's accessible name, e.g. "Model tags". */
  label: string;
  tags: KeyValue[];
  set: (key: string, value: string) => Promise<unknown>;
  remove: (key: string) => Promise<unknown>;
  /** Reloads the page's data after a change. */
  changed: () => Promise<void>;
}

/** The tags as a table with Edit and Delete per row, and a form that sets a tag (a new key, or an edited one). */
export function tagsEditor(options: TagsEditorOptions): HTMLElement {
  const error = errorBox(null);
  const key = h("input", { type: "text", name: "key", "aria-label": "Tag key", placeholder: "Key", required: true });
  const value = h("input", { type: "text", name: "value", "aria-label": "Tag value", placeholder: "Value" });
  const submit = h("button", { type: "submit" }, "Set tag");
  const tags = [...options.tags].filter(t => !t.key.startsWith("mlflow.")).sort((a, b) => a.key.localeCompare(b.key));

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    showError(error, null);
    try {
      await action();
      await options.changed();
      return true;
    } catch (e) {
      showError(error, (e as Error).message);
      return false;
    }
  }

  const form = h("form", {
    class: "inline-form tag-form", "aria-label": `Set a ${options.label.toLowerCase().replace(/s$/, "")}`,
    onsubmit: async (event: Event) => {
      event.preventDefault();
      const k = key.value.trim();
      if (!k) return;
      submit.disabled = true;
      if (await run(() => options.set(k, value.value))) {
        key.value = "";
        value.value = "";
      }
      submit.disabled = false;
    },
  }, key, value, submit);

  const row = (tag: KeyValue) => {
    const edit = h("button", { type: "button", class: "small", "aria-label": `Edit tag ${tag.key}`, onclick: () => {
      key.value = tag.key;
      value.value = tag.value;
      value.focus();
      value.select();
    } }, "Edit");
    const remove: HTMLButtonElement = h("button", { type: "button", class: "small danger", "aria-label": `Delete tag ${tag.key}`, onclick: async () => {
      const ok = await askDialog({ title: `Delete tag ${tag.key}?`, message: `The tag ${tag.key} = "${tag.value}" is removed.`,
        confirm: "Delete", danger: true, opener: remove });
      if (ok !== null) await run(() => options.remove(tag.key));
    } }, "Delete");
    return h("tr", { "data-tag": tag.key },
      h("th", { scope: "row" }, tag.key), h("td", null, tag.value), h("td", { class: "actions-cell" }, h("div", { class: "actions" }, edit, remove)));
  };

  return h("div", { class: "tags-editor" },
    tags.length
      ? h("table", { class: "grid compact", "aria-label": options.label }, h("tbody", null, tags.map(row)))
      : h("p", { class: "muted" }, "No tags."),
    form, error);
}

/** A description shown as text, with an Edit button that swaps in a text area. */
export function descriptionEditor(description: string | undefined, save: (text: string) => Promise<unknown>, changed: () => Promise<void>): HTMLElement {
  const box = h("div", { class: "description" });
  const error = errorBox(null);
  const show = () => {
    const edit = h("button", { type: "button", class: "small", onclick: editing }, description ? "Edit description" : "Add description");
    replace(box, description ? h("p", { class: "description-text" }, description) : h("p", { class: "muted" }, "No description."), edit, error);
  };
  const editing = () => {
    const text = h("textarea", { name: "description", "aria-label": "Description", rows: 3 });
    text.value = description ?? "";
    const cancel = h("button", { type: "button", onclick: () => { show(); box.querySelector("button")?.focus(); } }, "Cancel");
    replace(box, h("form", { class: "description-form", onsubmit: async (event: Event) => {
      event.preventDefault();
      showError(error, null);
      try {
        await save(text.value);
        await changed();
      } catch (e) {
        showError(error, (e as Error).message);
      }
    } }, text, h("div", { class: "dialog-actions left" }, h("button", { type: "submit", class: "primary" }, "Save"), cancel)), error);
    text.focus();
  };
  show();
  return box;
}
