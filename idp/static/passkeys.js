// Passkeys on Latchkey pages, with the plain WebAuthn API. Progressive enhancement: every passkey control
// is rendered `hidden` and shown only when this browser supports WebAuthn; without JavaScript the pages
// work with passwords as before. Options come from a same-origin JSON call (CSRF header); the answer is
// put into the form's hidden field and the form is posted like any other, so the server answers with a
// page (or a redirect) as for passwords. The sentences this script writes come from the data- attributes
// of the form's error slot, in the page's language; the English ones here are for a page without them.
(() => {
  if (!window.PublicKeyCredential || !navigator.credentials || typeof navigator.credentials.get !== 'function') return;

  const toBytes = (b64u) => {
    const b64 = b64u.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((b64u.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  };
  const toB64u = (buffer) => {
    let text = '';
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const descriptors = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));

  function creationOptions(json) {
    return { ...json, challenge: toBytes(json.challenge), user: { ...json.user, id: toBytes(json.user.id) }, excludeCredentials: descriptors(json.excludeCredentials) };
  }
  function requestOptions(json) {
    return { ...json, challenge: toBytes(json.challenge), allowCredentials: descriptors(json.allowCredentials) };
  }
  function answerJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toB64u(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64u(r.attestationObject);
      if (typeof r.getTransports === 'function') response.transports = r.getTransports();
    } else {
      response.authenticatorData = toB64u(r.authenticatorData);
      response.signature = toB64u(r.signature);
      if (r.userHandle) response.userHandle = toB64u(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id, rawId: toB64u(credential.rawId), type: credential.type, response,
      clientExtensionResults: credential.getClientExtensionResults(),
      ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
    });
  }

  const errorBox = (form) => form.querySelector('[data-passkey-error]');
  /** The page's sentence `name` (data-<name> of the error slot), or `english`. */
  const sentence = (form, name, english) => errorBox(form)?.dataset[name] || english;

  function showError(form, message) {
    const box = errorBox(form);
    if (box) {
      box.textContent = message;
      box.hidden = false;
    }
  }
  function browserError(form, error) {
    if (error?.name === 'NotAllowedError') return sentence(form, 'cancelled', 'The passkey request was cancelled or timed out. Try again.');
    if (error?.name === 'InvalidStateError') return sentence(form, 'duplicate', 'This device already has a passkey for your account.');
    return error?.message || sentence(form, 'unusable', 'Your browser could not use a passkey. Try again.');
  }

  /** POSTs to the form's data-options URL; resolves to the options, or rejects with the server's sentence and code. */
  async function fetchOptions(form) {
    const csrf = form.querySelector('input[name="_csrf"]');
    const res = await fetch(form.dataset.options, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' },
      body: '{}',
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(body.message || sentence(form, 'failed', 'The passkey request failed. Reload the page and try again.')), { code: body.error });
    return body;
  }

  function submitWith(form, fieldName, value) {
    form.querySelector(`input[name="${fieldName}"]`).value = value;
    form.dataset.sending = 'yes';
    HTMLFormElement.prototype.submit.call(form);
  }

  // Adding a passkey (Connection & Security). Without a recent sign-in the options call answers
  // reauthentication_required: the form is then posted as it is and the server asks for the password.
  for (const form of document.querySelectorAll('form[data-passkey-register]')) {
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      if (form.dataset.sending) return;
      event.preventDefault();
      let options;
      try {
        options = await fetchOptions(form);
      } catch (error) {
        if (error.code === 'reauthentication_required') {
          form.dataset.sending = 'yes';
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        showError(form, error.message);
        return;
      }
      try {
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        submitWith(form, 'response', answerJSON(credential));
      } catch (error) {
        showError(form, browserError(form, error));
      }
    });
  }

  // Signing in (the IdP's sign-in page) and confirming it is you (re-authentication): one assertion.
  let conditional;
  async function assertWith(form, fieldName, mediation) {
    const options = await fetchOptions(form);
    let signal;
    if (mediation === 'conditional') {
      conditional = new AbortController();
      signal = conditional.signal;
    }
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options), ...(mediation ? { mediation } : {}), ...(signal ? { signal } : {}) });
    submitWith(form, fieldName, answerJSON(credential));
  }
  for (const form of document.querySelectorAll('form[data-passkey-signin], form[data-passkey-reauth]')) {
    const fieldName = form.hasAttribute('data-passkey-reauth') ? 'reauth_passkey' : 'response';
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      if (form.dataset.sending) return;
      event.preventDefault();
      if (conditional) conditional.abort();
      conditional = undefined;
      try {
        await assertWith(form, fieldName);
      } catch (error) {
        showError(form, browserError(form, error));
      }
    });
    // Autofill: the browser offers passkeys in the email field's suggestions (autocomplete="username webauthn").
    if (form.hasAttribute('data-passkey-signin') && typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
      PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
        if (available && !form.dataset.sending) return assertWith(form, fieldName, 'conditional');
        return undefined;
      }).catch(() => {});
    }
  }
})();
