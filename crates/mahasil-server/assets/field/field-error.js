// Why an officer's input cannot make a challan, said per field so the form can point at it.
// `code` names the rule broken (the i18n dictionary has a sentence for each code, in
// English and Urdu); `params` fill that sentence in; `message` is the English for logs.

export class FieldError extends Error {
  /**
   * @param {string} field the input's name, as in the op payload (`offender.cnic`, ...)
   * @param {string} code the rule broken, e.g. `cnic_format`
   * @param {string} message English, for logs and tests
   * @param {object} [params] values for the sentence (amounts in paisa, limits)
   */
  constructor(field, code, message, params = {}) {
    super(`${field}: ${message}`);
    this.name = 'FieldError';
    this.field = field;
    this.code = code;
    this.params = params;
  }
}

/** Several field errors at once, so the form shows every mistake in one go. */
export class FieldErrors extends Error {
  /** @param {FieldError[]} errors */
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'FieldErrors';
    this.errors = errors;
  }
}
