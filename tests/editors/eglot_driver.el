;;; eglot_driver.el --- Drives Emacs + eglot for the editor tests  -*- lexical-binding: t; -*-

;; For tests/editors/test_emacs.py: load editors/emacs/leak-lsp.el as a user would,
;; open LEAK_LSP_DOCUMENT from the current folder, and run the scenario LEAK_LSP_SCENARIO:
;; - "quick-fix": wait for its diagnostics, run `eglot-code-actions' on the diagnostic's
;;   region taking the default (preferred) action as a user pressing RET does, save, and
;;   wait for the diagnostics to clear;
;; - "diagnostics": wait until the diagnostics are LEAK_LSP_EXPECTED (a JSON list of
;;   {code, line, column}, character columns), then open LEAK_LSP_SIBLING (a Python file
;;   of the same project in another folder), when given, and report whether it reached the
;;   same server; a JavaScript document gets the form leak-lsp.el gives for it, commented out;
;; - "helper-refresh": as "diagnostics" without the sibling, then open LEAK_LSP_HELPER,
;;   replace old by new of LEAK_LSP_HELPER_EDIT, save, and wait (without touching the
;;   document) until the document's diagnostics are gone.
;; Writes a JSON report, then exits with code 0 (code 1 when even the report could not
;; be written).

;;; Code:

(require 'package)
(setq package-directory-list '("/usr/share/emacs/site-lisp/elpa")) ; -Q hides Debian's elpa-eglot
(package-initialize)
(require 'json)

(defvar leak-lsp-test-timeout 20.0 "Seconds to wait for each step.")
(defvar leak-lsp-test-report '((steps . [])) "What happened, as an alist for `json-encode'.")

(defun leak-lsp-test--note (key value)
  (setf (alist-get key leak-lsp-test-report) value))

(defun leak-lsp-test--step (name)
  (leak-lsp-test--note 'steps (vconcat (alist-get 'steps leak-lsp-test-report) (list name))))

(defun leak-lsp-test--wait-until (predicate what)
  "Let eglot and flymake run until PREDICATE holds; signal WHAT on time-out."
  (let ((deadline (+ (float-time) leak-lsp-test-timeout)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (flymake-start nil t) ; flymake only collects eglot's diagnostics when it runs
      (accept-process-output nil 0.05))))

(defun leak-lsp-test--describe (diagnostic)
  (let ((start (flymake-diagnostic-beg diagnostic)))
    (save-excursion
      (goto-char start)
      `((line . ,(1- (line-number-at-pos start)))
        (character_column . ,(- start (line-beginning-position)))
        (text . ,(flymake-diagnostic-text diagnostic))))))

(defun leak-lsp-test--apply-preferred-fix (diagnostic)
  "Run eglot's code-action command on DIAGNOSTIC's region, accepting its default choice."
  (let ((completing-read-function
         (lambda (_prompt _collection &optional _predicate _require _initial _history default &rest _)
           (leak-lsp-test--note 'applied default)
           default))
        (last-nonmenu-event ?\r)) ; a key, not a mouse click: eglot then asks in the minibuffer
    (eglot-code-actions (flymake-diagnostic-beg diagnostic) (flymake-diagnostic-end diagnostic) "quickfix" t)))

(defun leak-lsp-test--open (file)
  "Visit FILE in python-mode (js-mode for JavaScript) and connect eglot as `eglot-ensure' would."
  (find-file file)
  (unless (derived-mode-p 'python-mode 'js-mode)
    (error "%s opened in %s, not python-mode or js-mode" file major-mode))
  (unless (eglot-current-server)
    ;; `eglot-ensure' waits for the command loop, which --batch never enters.
    (apply #'eglot--connect (eglot--guess-contact)))
  (current-buffer))

(defun leak-lsp-test--finding (diagnostic)
  "DIAGNOSTIC as (code line column), the form the test compares."
  (let ((text (flymake-diagnostic-text diagnostic))
        (described (leak-lsp-test--describe diagnostic)))
    `((code . ,(and (string-match "EL[0-9]+" text) (match-string 0 text)))
      (line . ,(alist-get 'line described))
      (column . ,(alist-get 'character_column described)))))

(defun leak-lsp-test--findings ()
  (sort (mapcar #'leak-lsp-test--finding (flymake-diagnostics))
        (lambda (a b) (string< (prin1-to-string a) (prin1-to-string b)))))

(defun leak-lsp-test--expected ()
  (let ((json-array-type 'list) (json-object-type 'alist) (json-key-type 'symbol))
    (sort (mapcar (lambda (finding) `((code . ,(alist-get 'code finding))
                                      (line . ,(alist-get 'line finding))
                                      (column . ,(alist-get 'column finding))))
                  (json-read-from-string (getenv "LEAK_LSP_EXPECTED")))
          (lambda (a b) (string< (prin1-to-string a) (prin1-to-string b))))))

(defun leak-lsp-test--wait-for-findings (buffer expected key)
  "Wait until BUFFER's findings are EXPECTED; note the last ones seen under KEY."
  (with-current-buffer buffer
    (unwind-protect
        (leak-lsp-test--wait-until (lambda () (equal (leak-lsp-test--findings) expected)) (symbol-name key))
      (leak-lsp-test--note key (vconcat (leak-lsp-test--findings))))))

(defun leak-lsp-test--note-server (buffer)
  (with-current-buffer buffer
    (leak-lsp-test--note 'project_root
                         (directory-file-name (expand-file-name (project-root (eglot--project (eglot-current-server))))))))

(defun leak-lsp-test--quick-fix (document)
  (leak-lsp-test--open document)
  (leak-lsp-test--step "opened")
  (leak-lsp-test--wait-until #'flymake-diagnostics "diagnostics")
  (leak-lsp-test--note 'diagnostics (vconcat (mapcar #'leak-lsp-test--describe (flymake-diagnostics))))
  (leak-lsp-test--step "diagnosed")
  (leak-lsp-test--apply-preferred-fix (car (flymake-diagnostics)))
  (save-buffer)
  (leak-lsp-test--step "fixed")
  (leak-lsp-test--wait-until (lambda () (null (flymake-diagnostics))) "the diagnostics to clear")
  (leak-lsp-test--step "clean"))

(defun leak-lsp-test--diagnostics (document)
  "Open DOCUMENT and wait for the expected findings; return its buffer."
  (let ((buffer (leak-lsp-test--open document)))
    (leak-lsp-test--step "opened")
    (leak-lsp-test--note-server buffer)
    (leak-lsp-test--wait-for-findings buffer (leak-lsp-test--expected) 'diagnostics)
    (leak-lsp-test--step "diagnosed")
    buffer))

(defun leak-lsp-test--diagnostics-and-sibling (document)
  (let* ((buffer (leak-lsp-test--diagnostics document))
         (server (with-current-buffer buffer (eglot-current-server)))
         (sibling (and (getenv "LEAK_LSP_SIBLING") (leak-lsp-test--open (getenv "LEAK_LSP_SIBLING")))))
    (when sibling
      (leak-lsp-test--note 'sibling_same_server
                           (if (eq server (with-current-buffer sibling (eglot-current-server))) t :json-false))
      (leak-lsp-test--step "sibling opened"))))

(defun leak-lsp-test--helper-refresh (document)
  (let ((buffer (leak-lsp-test--diagnostics document))
        (edit (let ((json-object-type 'alist)) (json-read-from-string (getenv "LEAK_LSP_HELPER_EDIT")))))
    (leak-lsp-test--open (getenv "LEAK_LSP_HELPER"))
    (goto-char (point-min))
    (search-forward (alist-get 'old edit))
    (replace-match (alist-get 'new edit) t t)
    (save-buffer)
    (leak-lsp-test--step "helper fixed")
    (leak-lsp-test--wait-for-findings buffer nil 'refreshed_diagnostics)
    (leak-lsp-test--step "document refreshed")))

(defun leak-lsp-test--commented-script-form ()
  "The form leak-lsp.el gives, commented out, for JavaScript and TypeScript buffers."
  (with-temp-buffer
    (insert-file-contents (getenv "LEAK_LSP_EMACS_SETUP"))
    (goto-char (point-min))
    (search-forward ";; (add-to-list 'eglot-server-programs")
    (goto-char (line-beginning-position))
    (let (lines)
      (while (looking-at ";; ?\\(.*\\)$")
        (push (match-string 1) lines)
        (forward-line 1))
      (car (read-from-string (mapconcat #'identity (nreverse lines) "\n"))))))

(defun leak-lsp-test--run (document)
  (load (getenv "LEAK_LSP_EMACS_SETUP") nil t)
  (unless (string-suffix-p ".py" document)
    (eval (leak-lsp-test--commented-script-form) t)) ; as a user who wants leak-lsp there evaluates it
  (funcall (pcase (getenv "LEAK_LSP_SCENARIO")
             ("quick-fix" #'leak-lsp-test--quick-fix)
             ("diagnostics" #'leak-lsp-test--diagnostics-and-sibling)
             ("helper-refresh" #'leak-lsp-test--helper-refresh))
           document))

(let ((report-file (getenv "LEAK_LSP_REPORT")))
  (condition-case failure
      (leak-lsp-test--run (getenv "LEAK_LSP_DOCUMENT"))
    (error (leak-lsp-test--note 'error (error-message-string failure))))
  (condition-case nil
      (let ((coding-system-for-write 'utf-8))
        (with-temp-file report-file (insert (json-encode leak-lsp-test-report)))
        (kill-emacs 0))
    (error (kill-emacs 1))))

;;; eglot_driver.el ends here
