// The checker page. It judges nothing itself: the complaint goes to the service's own routes
// (/v1/evaluate, /v1/evaluate/everywhere) and the page shows what comes back. Its only other
// jobs are keeping the form and the text in step, and wording its own labels in two languages.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  // What the service wrote into the page from its policy: the complaint's fields and choices,
  // and per language the platform names and the interface texts the command line uses too.
  const POLICY = JSON.parse($("#choices").textContent);
  const FIELDS = POLICY.fields;
  const LANGS = POLICY.languages || {};
  // The policy's languages in its order, the one its rules are written in first.
  const ORDER = POLICY.language_order || Object.keys(LANGS);
  const SOURCE = ORDER[0] || "en";

  const T = {
    en: {
      title: "Takedown complaint checker", lang: "Language",
      key: "API key (if the service needs one)", keyHint: "Kept only in this page; never saved.",
      intro: "Fill in the form or paste a complaint below. Before you file it, the service tells you whether the platform will accept it, what to fix if not, and by when the platform should answer.",
      sComplaint: "Where and when", platform: "Platform", submittedAt: "Submitted at (optional)",
      submittedHint: "Date, time and UTC offset; empty means now.", channel: "Filing channel",
      sFiler: "Who files (the filer)", kind: "Kind", name: "Name", country: "Country (2 letters)",
      sDocs: "Identity documents", addDoc: "Add a document", doc: "Document", docType: "Document type",
      holderName: "Name on the document", issuingCountry: "Issued by country (2 letters)",
      removeDoc: "Remove document", sHolder: "Who holds the right",
      hasHolder: "Someone other than the filer holds the right", sRight: "The right",
      rightType: "Type", patentKind: "Patent kind (patents only)", status: "Status", office: "Office",
      designations: "Designated territories (WIPO; comma-separated)", number: "Registration number",
      owner: "Owner on the certificate", filedOn: "Filed on", registeredOn: "Registered on",
      expiresOn: "Expires on", sEvidence: "Documents supplied", certificate: "Registration certificate",
      extensionCertificate: "CNIPA extension certificate (WIPO)",
      evaluationReport: "Patent right evaluation report", renewalCertificate: "Renewal certificate",
      claimStatement: "Copyright claim statement", sLetter: "Letter of authorization",
      hasLetter: "A letter of authorization comes with the complaint", issuedBy: "Issued by",
      issuedTo: "Issued to", issuedOn: "Issued on", signed: "Signed or sealed by the holder",
      scopeRights: "Covers these registration numbers (comma-separated; empty: all)",
      scopePlatforms: "Covers these platforms (comma-separated; empty: all)",
      sListings: "What infringes", infringementKind: "Kind of infringement",
      listings: "Listings (one link per line)",
      paste: "The complaint as JSON or YAML (paste here, or let the form write it)",
      check: "Check", checkEverywhere: "Check on every platform", choose: "(choose)", none: "(none)",
      syncForm: "The text above is what the form holds; it is what will be checked.",
      syncText: "The form now shows the text you entered.",
      syncNo: "The form cannot show this text, so it is locked; the text will be checked as written. Clear the text to use the form again.",
      working: "Checking…",
      on: "on", stop: ".", reasons: "What to fix", noReasons: "Nothing to fix.", fix: "Fix:", facts: "Facts",
      source: "Source",
      everywhere: "On every platform", dueBy: "answer by {0}", invalid: "The complaint could not be read ({0}). Each problem is shown next to its field:",
      problems1: "1 problem", problemsN: "{0} problems", whole: "the complaint",
      network: "The service did not answer. Is it running?",
      unauthorized: "This service needs an API key: type it in the “API key” field at the top.",
      failed: "The service refused the request",
      noDue: "no answer window until the complaint is eligible",
      noWindow: "no answer window: the platform publishes no response window",
      "v_infringement.kind.patent": "patent infringement",
    },
    "zh-CN": {
      title: "投诉资格检查", lang: "语言", key: "API密钥（如服务需要）", keyHint: "仅保存在本页面内存中，不会存储。",
      intro: "填写下面的表单或粘贴投诉内容。在提交之前，服务会告诉您平台是否会受理、如不受理需要改正什么，以及平台应在何时答复。",
      sComplaint: "平台与时间", platform: "平台", submittedAt: "提交时间（可选）",
      submittedHint: "日期、时间和 UTC 时差；留空表示现在。", channel: "提交渠道",
      sFiler: "投诉人（提交投诉者）", kind: "类型", name: "名称", country: "国家/地区（两位字母）",
      sDocs: "身份证明文件", addDoc: "添加身份证明文件", doc: "身份证明文件", docType: "文件类型",
      holderName: "文件上的名称", issuingCountry: "签发国家/地区（两位字母）", removeDoc: "删除文件",
      sHolder: "权利人", hasHolder: "权利人不是投诉人本人", sRight: "知识产权",
      rightType: "类型", patentKind: "专利类型（仅限专利）", status: "状态", office: "登记机关",
      designations: "指定领土（马德里国际注册；逗号分隔）", number: "注册号", owner: "注册信息载明的所有人",
      filedOn: "申请日", registeredOn: "注册日", expiresOn: "到期日", sEvidence: "已提供的文件",
      certificate: "注册证书", extensionCertificate: "国家知识产权局出具的领土延伸至中国的证明",
      evaluationReport: "专利权评价报告", renewalCertificate: "续展证明", claimStatement: "《著作权权属声明》",
      sLetter: "授权委托书", hasLetter: "投诉附有授权委托书", issuedBy: "出具人", issuedTo: "受托人",
      issuedOn: "出具日", signed: "已由权利人签字或盖章",
      scopeRights: "授权范围内的注册号（逗号分隔；留空表示全部）",
      scopePlatforms: "授权范围内的平台（逗号分隔；留空表示全部）",
      sListings: "侵权内容", infringementKind: "侵权类型", listings: "商品链接（每行一个）",
      paste: "JSON 或 YAML 格式的投诉（粘贴到这里，或由表单生成）",
      check: "检查", checkEverywhere: "在所有平台检查", choose: "（请选择）", none: "（无）",
      syncForm: "上面的文本就是表单内容，检查的就是它。", syncText: "表单已显示您输入的文本。",
      syncNo: "表单无法显示这段文本，已锁定；将按原文检查。清空文本即可重新使用表单。",
      working: "正在检查…",
      on: "平台：", stop: "。", reasons: "需要改正的地方", noReasons: "无需改正。", fix: "处理建议：", facts: "相关事实",
      source: "依据",
      everywhere: "在所有平台",
      dueBy: "最晚{0}答复", invalid: "无法读取投诉（{0}）。每个问题都显示在对应字段旁：",
      problems1: "1 个问题", problemsN: "{0} 个问题", whole: "整个投诉",
      network: "服务没有响应。服务是否在运行？", unauthorized: "此服务需要API密钥：请在页面顶部的“API密钥”栏中输入。",
      failed: "服务拒绝了请求", noDue: "投诉符合条件之前不计算答复期限", noWindow: "无答复期限：平台未公布处理时限",
      v_individual: "个人", v_organization: "组织", v_trademark: "商标", v_copyright: "著作权",
      v_patent: "专利", v_trade_secret: "商业秘密", v_other: "其他", v_invention: "发明",
      v_utility_model: "实用新型", v_design: "外观设计", v_registered: "已注册", v_pending: "申请尚在审查中",
      v_expired: "已到期", v_invalidated: "被宣告无效", v_unregistered: "未注册", v_counterfeit: "假冒",
      "v_mark-obscuring": "遮挡商标", v_piracy: "盗版", "v_infringement.kind.patent": "专利侵权", v_passport: "护照", v_drivers_license: "驾驶证",
      v_national_id_card: "身份证", v_business_license: "营业执照",
      v_business_registration_certificate: "商业登记证", v_certificate_of_incorporation: "公司注册证书",
      v_ipp_account: "IPP账号", v_online_form: "IPP在线表单",
    },
  };

  let lang = SOURCE;
  let apiKey = ""; // held in this variable only: never stored, sent as a Bearer header
  let state = {}; // the complaint the form shows
  let syncNote = "";
  let shown = { one: false, everywhere: false }; // re-asked in the new language on a switch
  let parseTimer = 0;
  let textChanged = false; // the text was edited since the form last read it

  const t = (key, ...args) => {
    const text = (T[lang] && T[lang][key]) || T.en[key] || key;
    return text.replace(/\{(\d)\}/g, (_, n) => String(args[Number(n)]));
  };
  // The policy's own words for decisions, severities and the answer window (one source for
  // every face), or `otherwise` when the policy has no such text (its keys belong to the command
  // line; tests/server/test_page.py checks that every key used here exists).
  const said = (key, fields = {}, otherwise = key) => {
    const own = (LANGS[lang] || {}).interface || {};
    const text = own[key] || ((LANGS[SOURCE] || {}).interface || {})[key];
    return text == null ? otherwise : text.replace(/\{(\w+)\}/g, (_, name) => String(fields[name]));
  };
  const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const platformName = (id) => ((LANGS[lang] || {}).platforms || {})[id] || id;
  const platformLabel = (id) => {
    const name = platformName(id);
    return name.toLowerCase().startsWith(String(id).toLowerCase()) ? name : `${name} (${id})`;
  };
  // A value's words: for this field, else for any field, else the value itself.
  const valueLabel = (field, v) => {
    const texts = T[lang] || {};
    return texts[`v_${field}.${v}`] || texts["v_" + v] || T.en[`v_${field}.${v}`] || String(v).replace(/_/g, " ");
  };
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v != null) node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child != null) node.append(child);
    }
    return node;
  };

  // --- paths: "complainant.identity_documents.0.type" -----------------------------------------

  const keys = (path) => path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  const schemaPath = (path) => path.split(".").filter((k) => !/^\d+$/.test(k)).join(".");
  function getAt(obj, path) {
    let node = obj;
    for (const k of keys(path)) {
      if (node == null || typeof node !== "object") return undefined;
      node = node[k];
    }
    return node;
  }
  function setAt(obj, path, value) {
    const ks = keys(path);
    let node = obj;
    ks.slice(0, -1).forEach((k, i) => {
      if (node[k] == null || typeof node[k] !== "object") node[k] = typeof ks[i + 1] === "number" ? [] : {};
      node = node[k];
    });
    const last = ks[ks.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
  }

  // --- the form ---------------------------------------------------------------------------------

  const form = $("#fields");
  const text = $("#complaint");

  function fillOptions(select) {
    const name = select.dataset.choices;
    const current = select.value;
    const optional = name === "ip_right.patent_kind" || name === "channel";
    select.replaceChildren(el("option", { value: "" }, t(optional ? "none" : "choose")));
    const label = name === "platform" ? (v) => platformLabel(v) : (v) => valueLabel(name, v);
    for (const v of FIELDS[name] || []) select.append(el("option", { value: v }, label(v)));
    select.value = current;
  }

  function readControl(input) {
    if (input.type === "checkbox") return input.checked;
    const raw = input.value;
    const type = input.dataset.type;
    if (type === "list") return raw.split(",").map((s) => s.trim()).filter(Boolean);
    if (type === "lines") return raw.split("\n").map((s) => s.trim()).filter(Boolean);
    const value = raw.trim();
    if (value === "") return input.dataset.path === "ip_right.patent_kind" ? null : undefined;
    return type === "upper" ? value.toUpperCase() : value;
  }

  function writeControl(input, value) {
    if (input.type === "checkbox") {
      input.checked = value === true;
    } else if (Array.isArray(value)) {
      input.value = value.join(input.dataset.type === "lines" ? "\n" : ", ");
    } else if (value == null) {
      input.value = "";
    } else {
      const shownValue = typeof value === "object" ? JSON.stringify(value) : String(value);
      if (input.tagName === "SELECT" && !$$("option", input).some((o) => o.value === shownValue)) {
        input.append(el("option", { value: shownValue }, shownValue)); // the service will name it
      }
      input.value = shownValue;
    }
  }

  function docRow(i) {
    const base = `complainant.identity_documents.${i}`;
    const id = (name) => `f-d${i}-${name}`;
    const field = (name, key, attrs = {}, tag = "input") =>
      el("div", { class: "f" }, el("label", { for: id(name) }, t(key)),
        el(tag, { id: id(name), "data-path": `${base}.${name}`, ...attrs }));
    const row = el("fieldset", { class: "doc", "data-path": base },
      el("legend", {}, `${t("doc")} ${i + 1}`),
      field("type", "docType", { "data-choices": "complainant.identity_documents.type" }, "select"),
      field("holder_name", "holderName"),
      field("issuing_country", "issuingCountry", { "data-type": "upper", maxlength: "2", size: "3" }),
      field("expires_on", "expiresOn", { type: "date" }),
      el("button", { type: "button", class: "remove", "data-remove": String(i) }, t("removeDoc")));
    fillOptions($("select", row));
    return row;
  }

  function fillForm() {
    const docs = getAt(state, "complainant.identity_documents");
    $("#docs").replaceChildren(...(Array.isArray(docs) ? docs : []).map((_, i) => docRow(i)));
    for (const input of $$("[data-path]", form)) {
      if (input.tagName !== "FIELDSET") writeControl(input, getAt(state, input.dataset.path));
    }
    for (const toggle of $$("[data-toggle]", form)) {
      toggle.checked = getAt(state, toggle.dataset.toggle) != null;
      showGroup(toggle);
    }
  }

  function showGroup(toggle) {
    $(`[data-group="${toggle.dataset.toggle}"]`).hidden = !toggle.checked;
  }

  function hideAbsentFields() {
    // A field this policy's complaint does not have (the schema decides) is not offered.
    for (const input of $$("[data-path]", form)) {
      const path = schemaPath(input.dataset.path);
      if (path && !(path in FIELDS)) {
        const box = input.closest(".f") || input;
        box.hidden = true;
        input.disabled = true;
      }
    }
  }

  function writeText() {
    text.value = Object.keys(state).length ? JSON.stringify(state, null, 2) : "";
    setSync("syncForm");
  }

  function lockForm(locked) {
    for (const set of $$(":scope > fieldset", form)) set.disabled = locked;
  }

  function setSync(key, extra = "") {
    syncNote = key;
    $("#sync").textContent = t(key) + (extra ? ` (${extra})` : "");
  }

  // Text typed or pasted a moment ago and not yet read by the form is read first, so that an
  // edit of the form never writes over it; the edited control keeps the value just given.
  function catchUp(input) {
    if (!textChanged) return true;
    const value = input.dataset.toggle ? input.checked : readControl(input);
    readText();
    if (form.querySelector(":scope > fieldset[disabled]")) return false;
    if (input.dataset.toggle) input.checked = value;
    else if (input.dataset.path) writeControl(input, value);
    return true;
  }

  form.addEventListener("input", (event) => {
    const input = event.target;
    if (!catchUp(input)) return;
    if (input.dataset.toggle) {
      const path = input.dataset.toggle;
      if (input.checked) {
        const part = {};
        for (const sub of $$(`[data-group="${path}"] [data-path]`, form)) {
          const v = readControl(sub);
          if (v !== undefined && v !== false && !(Array.isArray(v) && !v.length)) {
            setAt(part, sub.dataset.path.slice(path.length + 1), v);
          }
        }
        state[path] = part;
      } else {
        delete state[path];
      }
      showGroup(input);
    } else if (input.dataset.path) {
      setAt(state, input.dataset.path, readControl(input));
      clearError(input);
    } else {
      return;
    }
    writeText();
  });

  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !catchUp(button)) return;
    const docs = getAt(state, "complainant.identity_documents");
    const list = Array.isArray(docs) ? docs : [];
    if (button.id === "add-doc") {
      list.push({});
      setAt(state, "complainant.identity_documents", list);
      fillForm();
      $(`#f-d${list.length - 1}-type`).focus();
    } else if (button.dataset.remove != null) {
      list.splice(Number(button.dataset.remove), 1);
      setAt(state, "complainant.identity_documents", list);
      fillForm();
      $("#add-doc").focus();
    } else {
      return;
    }
    writeText();
  });

  // --- the text: JSON, or the plain YAML complaint files are written in -------------------------

  text.addEventListener("input", () => {
    textChanged = true;
    clearTimeout(parseTimer);
    parseTimer = setTimeout(readText, 250);
  });

  function readText() {
    clearTimeout(parseTimer);
    textChanged = false;
    const source = text.value;
    if (!source.trim()) {
      state = {};
      lockForm(false);
      fillForm();
      setSync("syncForm");
      return;
    }
    let data;
    try {
      data = parse(source);
    } catch (error) {
      lockForm(true);
      setSync("syncNo", error.message);
      return;
    }
    if (data == null || typeof data !== "object" || Array.isArray(data)) {
      lockForm(true);
      setSync("syncNo");
      return;
    }
    state = data;
    lockForm(false);
    fillForm();
    setSync("syncText");
  }

  function parse(source) {
    try {
      return JSON.parse(source);
    } catch (_) {
      return parseYaml(source);
    }
  }

  // Only enough YAML for the form to follow a pasted complaint: block mappings and sequences,
  // plain and quoted scalars, one-line [flow, lists]. Anything else (anchors, multi-line
  // scalars, tags) leaves the form locked; the service reads the text itself either way.
  function parseYaml(source) {
    const lines = [];
    source.split(/\r?\n/).forEach((raw, n) => {
      const line = stripComment(raw).replace(/\s+$/, "");
      if (!line.trim()) return;
      if (/^(---|\.\.\.)$/.test(line)) {
        if (lines.length) throw new Error(`line ${n + 1}: one document only`);
        return;
      }
      const indent = line.match(/^ */)[0].length;
      if (line[indent] === "\t") throw new Error(`line ${n + 1}: tab`);
      lines.push({ indent, body: line.slice(indent), n: n + 1 });
    });
    let i = 0;
    const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#\-?:,[\]{}&*!|>%@`][^:]*?)\s*:(?:\s+(.*))?$/;
    const isItem = (body) => body === "-" || body.startsWith("- ");
    const fail = (why) => {
      throw new Error(`line ${i < lines.length ? lines[i].n : "end"}: ${why}`);
    };
    const node = () => (isItem(lines[i].body) ? sequence(lines[i].indent) : mapping(lines[i].indent));
    function sequence(indent) {
      const out = [];
      while (i < lines.length && lines[i].indent === indent && isItem(lines[i].body)) {
        const rest = lines[i].body.slice(1).replace(/^ +/, "");
        if (!rest) {
          i += 1;
          out.push(i < lines.length && lines[i].indent > indent ? node() : null);
        } else if (KEY.test(rest)) {
          lines[i] = { indent: indent + lines[i].body.length - rest.length, body: rest, n: lines[i].n };
          out.push(mapping(lines[i].indent));
        } else {
          out.push(scalar(rest));
          i += 1;
        }
      }
      if (i < lines.length && lines[i].indent > indent) fail("unexpected indentation");
      return out;
    }
    function mapping(indent) {
      const out = {};
      while (i < lines.length && lines[i].indent === indent && !isItem(lines[i].body)) {
        const match = KEY.exec(lines[i].body);
        if (!match) fail("expected “key: value”");
        const key = String(scalar(match[1]));
        if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate key ${key}`);
        i += 1;
        if (match[2]) out[key] = scalar(match[2]);
        else if (i < lines.length && (lines[i].indent > indent || (lines[i].indent === indent && isItem(lines[i].body)))) out[key] = node();
        else out[key] = null;
      }
      if (i < lines.length && lines[i].indent > indent) fail("unexpected indentation");
      return out;
    }
    function scalar(raw) {
      const s = raw.trim();
      if (s.startsWith('"')) {
        try {
          return JSON.parse(s);
        } catch (_) {
          fail("a quoted value the page cannot read");
        }
      }
      if (s.startsWith("'")) {
        if (!/^'(?:[^']|'')*'$/.test(s)) fail("a quoted value the page cannot read");
        return s.slice(1, -1).replace(/''/g, "'");
      }
      if (s === "[]") return [];
      if (s === "{}") return {};
      if (s.startsWith("[") && s.endsWith("]")) {
        const items = s.slice(1, -1).match(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+/g) || [];
        return items.map((item) => item.trim()).filter(Boolean).map(scalar);
      }
      if (/^[[\]{}&*!|>%@`]/.test(s)) fail("YAML the page does not read");
      if (/^(~|null|Null|NULL)$/.test(s)) return null;
      if (/^(true|True|TRUE|yes|Yes|YES|on|On|ON)$/.test(s)) return true;
      if (/^(false|False|FALSE|no|No|NO|off|Off|OFF)$/.test(s)) return false;
      if (/^[-+]?(0|[1-9][0-9]*)$/.test(s)) return Number(s);
      if (/^[-+]?0[0-9xob_]/.test(s) || /^[-+]?[0-9][0-9_]*\.[0-9]*$/.test(s)) fail("a number the page cannot read");
      return s;
    }
    if (!lines.length) return null;
    const doc = node();
    if (i < lines.length) fail("unexpected text");
    return doc;
  }

  function stripComment(line) {
    let quote = "";
    for (let k = 0; k < line.length; k += 1) {
      const c = line[k];
      if (quote) {
        if (c === "\\" && quote === '"') k += 1;
        else if (c === quote) quote = "";
      } else if ((c === '"' || c === "'") && (k === 0 || /[\s:[,-]/.test(line[k - 1]))) {
        quote = c;
      } else if (c === "#" && (k === 0 || /\s/.test(line[k - 1]))) {
        return line.slice(0, k);
      }
    }
    return line;
  }

  // --- asking the service -----------------------------------------------------------------------

  async function ask(route) {
    if (textChanged) readText();
    const source = text.value.trim() ? text.value : "{}";
    let type = "application/json";
    try {
      JSON.parse(source);
    } catch (_) {
      type = "application/yaml"; // the service reads it with the same reader as the command line
    }
    const headers = { "Content-Type": type };
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    const response = await fetch(`${route}?lang=${encodeURIComponent(lang)}`, {
      method: "POST", headers, body: source,
    });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    return { response, body };
  }

  // One request at a time, in the order asked: two answers never write over each other.
  let queue = Promise.resolve();
  // The previous answer goes at once, on the click itself, so that nothing reading the page
  // can take it for the answer to this question.
  const run = (which, focus = true) => {
    const area = which === "one" ? $("#verdict") : $("#everywhere");
    area.removeAttribute("data-decision");
    area.replaceChildren(el("p", { class: "working" }, t("working")));
    queue = queue.then(() => runNow(which, focus));
    return queue;
  };

  async function runNow(which, focus) {
    const one = which === "one";
    const area = one ? $("#verdict") : $("#everywhere");
    clearErrors();
    $("#problem").hidden = true;
    area.removeAttribute("data-decision");
    area.replaceChildren(el("p", { class: "working" }, t("working")));
    area.setAttribute("aria-busy", "true");
    shown[which] = true;
    try {
      const { response, body } = await ask(one ? "/v1/evaluate" : "/v1/evaluate/everywhere");
      if (response.ok && body) {
        if (one) showVerdict(body);
        else showEverywhere(body);
      } else {
        area.replaceChildren();
        if (response.status === 422 && body && Array.isArray(body.errors)) showFieldErrors(body.errors, focus);
        else if (response.status === 401) showProblem(t("unauthorized"));
        else showProblem(`${t("failed")} (${response.status}): ${(body && body.detail) || response.statusText}`);
      }
    } catch (_) {
      area.replaceChildren();
      showProblem(t("network"));
    } finally {
      area.removeAttribute("aria-busy");
    }
  }

  // --- showing answers --------------------------------------------------------------------------

  const decisionBadge = (decision) => el("span", { class: `badge ${decision}` }, sentence(said("decision." + decision)));

  function showVerdict(v) {
    const area = $("#verdict");
    const reasons = (v.reasons || []).map((r) => {
      const facts = el("dl", { class: "facts" });
      for (const [k, value] of Object.entries(r.facts || {})) {
        facts.append(el("dt", {}, k), el("dd", {}, JSON.stringify(value)));
      }
      const source = /^https?:\/\//.test(r.source || "")
        ? el("a", { href: r.source, rel: "noopener noreferrer", target: "_blank" }, t("source"))
        : (r.source ? el("span", {}, `${t("source")}: ${r.source}`) : null);
      return el("li", { "data-rule": r.rule, "data-severity": r.severity, class: r.severity },
        el("p", { class: "rule" }, el("code", {}, r.rule), " ", el("span", { class: "sev" }, said("severity." + r.severity))),
        el("p", { class: "message" }, r.message),
        el("p", { class: "fix" }, el("strong", {}, t("fix")), " ", r.remediation),
        facts.children.length ? el("details", {}, el("summary", {}, t("facts")), facts) : null,
        source);
    });
    area.replaceChildren(
      el("h2", { class: "decision" }, decisionBadge(v.decision), " ", el("span", {}, `${t("on")} ${platformLabel(v.platform)}`)),
      dueText(v),
      el("h3", {}, t("reasons")),
      reasons.length ? el("ol", { class: "reasons" }, ...reasons) : el("p", {}, t("noReasons")));
    area.setAttribute("data-decision", v.decision);
  }

  function dueText(v) {
    const due = v.due;
    if (!due) {
      const why = v.decision === "eligible"
        ? said("verdict.no_window", { platform: platformName(v.platform) }, t("noWindow"))
        : t("noDue"); // no window is counted until the complaint is eligible
      return el("p", { id: "due", class: "due" }, sentence(why) + t("stop"));
    }
    const days = due.business_days || [];
    const p = el("p", { id: "due", class: "due", "data-earliest": due.earliest, "data-latest": due.latest },
      sentence(said("verdict.due", {
        earliest: due.earliest, latest: due.latest, first: days[0], last: days[1],
        calendar: due.calendar, timezone: due.timezone,
      })) + t("stop"));
    if (due.provisional) p.append(" ", el("strong", {}, sentence(said("verdict.provisional"))));
    return p;
  }

  // Where it can be filed comes first: eligible, then incomplete, then ineligible, each in the
  // order of the policy's platform list.
  const RANK = { eligible: 0, incomplete: 1, ineligible: 2 };
  const platformRank = (id) => {
    const n = (FIELDS.platform || []).indexOf(id);
    return n < 0 ? Infinity : n;
  };

  function showEverywhere(all) {
    const entries = Object.entries(all).sort(([a, va], [b, vb]) =>
      (RANK[va.decision] - RANK[vb.decision]) || (platformRank(a) - platformRank(b)) || (a < b ? -1 : 1));
    const rows = entries.map(([platform, v]) => {
      const failed = (v.reasons || []).map((r) => r.rule);
      return el("tr", { "data-platform": platform, "data-decision": v.decision },
        el("th", { scope: "row" }, platformLabel(platform)),
        el("td", {}, decisionBadge(v.decision), v.due ? el("small", {}, t("dueBy", v.due.latest)) : null),
        el("td", { class: "rules" }, failed.length ? el("ul", {}, ...failed.map((id) => el("li", {}, el("code", {}, id)))) : "—"));
    });
    $("#everywhere").replaceChildren(el("table", {},
      el("caption", {}, t("everywhere")),
      el("thead", {}, el("tr", {}, ...["where.platform", "where.decision", "where.failed"].map(
        (key) => el("th", { scope: "col" }, sentence(said(key)))))),
      el("tbody", {}, ...rows)));
  }

  function showProblem(message, list) {
    const box = $("#problem");
    box.replaceChildren(el("p", {}, message), list || "");
    box.hidden = false;
  }

  // A problem's dotted path names a field; the nearest enclosing field or group the form shows
  // gets the message (e.g. "authorization.scope.rights.0" lands on the rights field).
  function targetOf(path) {
    const parts = path ? path.split(".") : [];
    for (let n = parts.length; n > 0; n -= 1) {
      const found = $(`[data-path="${CSS.escape(parts.slice(0, n).join("."))}"]`, form);
      if (found && !found.closest("[hidden]")) return found;
    }
    return null;
  }

  function labelOf(target) {
    if (!target) return t("whole");
    const label = target.tagName === "FIELDSET" ? $("legend", target) : target.labels && target.labels[0];
    return label ? label.textContent : target.dataset.path;
  }

  function showFieldErrors(errors, focus) {
    const list = el("ul", {});
    errors.forEach((error, n) => {
      const target = targetOf(error.path);
      const note = el("p", { class: "error", id: `err-${n}`, "data-error-path": error.path }, error.message);
      if (target && target.tagName === "FIELDSET") {
        $("legend", target).after(note);
      } else if (target) {
        (target.closest(".f") || target).append(note);
        target.setAttribute("aria-invalid", "true");
        const described = target.getAttribute("aria-describedby");
        target.setAttribute("aria-describedby", described ? `${described} err-${n}` : `err-${n}`);
      }
      list.append(el("li", {}, el("strong", {}, labelOf(target)), ` (${error.path || "—"}): ${error.message}`));
    });
    showProblem(t("invalid", errors.length === 1 ? t("problems1") : t("problemsN", errors.length)), list);
    const first = $("[aria-invalid=true]", form);
    if (focus && first && !first.disabled) first.focus();
  }

  function clearError(input) {
    if (input.getAttribute("aria-invalid") !== "true") return;
    input.removeAttribute("aria-invalid");
    const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    for (const note of $$(".error", input.closest(".f") || form)) note.remove();
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function clearErrors() {
    for (const input of $$("[aria-invalid=true]", form)) clearError(input);
    for (const note of $$(".error", form)) note.remove();
  }

  // --- language ---------------------------------------------------------------------------------

  function applyLanguage() {
    document.documentElement.lang = lang;
    for (const node of $$("[data-t]")) node.textContent = t(node.dataset.t);
    document.title = t("title");
    for (const select of $$("select[data-choices]", form)) fillOptions(select);
    if (syncNote) setSync(syncNote);
    fillForm(); // the options were rebuilt: show the complaint's values (and the rows' labels) again
  }

  $("#lang").addEventListener("change", (event) => {
    lang = event.target.value;
    applyLanguage();
    // The service words reasons and field problems in the chosen language: ask it again.
    if (shown.one) run("one", false);
    if (shown.everywhere) run("everywhere", false);
  });
  $("#api-key").addEventListener("input", (event) => {
    apiKey = event.target.value.trim();
  });
  $("#check").addEventListener("click", () => run("one"));
  $("#check-everywhere").addEventListener("click", () => run("everywhere"));

  // The switch offers the policy's languages; the page starts in the first of the browser's
  // languages the policy has (matched as the service matches Accept-Language: the whole tag,
  // else its first part), else in the policy's own.
  const switcher = $("#lang");
  switcher.replaceChildren(...ORDER.map((code) =>
    el("option", { value: code, lang: code }, (LANGS[code] || {}).name || code)));
  const primary = (tag) => tag.toLowerCase().split("-")[0];
  const wanted = (navigator.languages && navigator.languages.length ? navigator.languages
    : [navigator.language || ""]).map(String);
  for (const tag of wanted) {
    const found = ORDER.find((code) => code.toLowerCase() === tag.toLowerCase())
      || ORDER.find((code) => primary(code) === primary(tag));
    if (found) { switcher.value = found; break; }
  }
  lang = switcher.value || SOURCE;
  hideAbsentFields();
  for (const select of $$("select[data-choices]", form)) fillOptions(select);
  readText();
  applyLanguage();
})();
