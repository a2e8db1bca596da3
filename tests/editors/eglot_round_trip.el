;;; eglot_round_trip.el --- Drives Emacs + eglot through the quick-fix round trip  -*- lexical-binding: t; -*-

;; For tests/editors/test_emacs.py: load editors/emacs/leak-lsp.el as a user would,
;; open the handler, wait for its diagnostics, run `eglot-code-actions' on the
;; diagnostic's region taking the default (preferred) action as a user pressing RET
;; does, save, and wait for the diagnostics to clear.  Writes a JSON report, then
;; exits with code 0 (code 1 when even the report could not be written).

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

(defun leak-lsp-test--round-trip (document)
  (load (getenv "LEAK_LSP_EMACS_SETUP") nil t)
  (find-file document)
  (unless (eq major-mode 'python-mode)
    (error "%s opened in %s, not python-mode" document major-mode))
  (unless (eglot-current-server)
    ;; `eglot-ensure' waits for the command loop, which --batch never enters.
    (apply #'eglot--connect (eglot--guess-contact)))
  (leak-lsp-test--step "opened")
  (leak-lsp-test--wait-until #'flymake-diagnostics "diagnostics")
  (leak-lsp-test--note 'diagnostics (vconcat (mapcar #'leak-lsp-test--describe (flymake-diagnostics))))
  (leak-lsp-test--step "diagnosed")
  (leak-lsp-test--apply-preferred-fix (car (flymake-diagnostics)))
  (save-buffer)
  (leak-lsp-test--step "fixed")
  (leak-lsp-test--wait-until (lambda () (null (flymake-diagnostics))) "the diagnostics to clear")
  (leak-lsp-test--step "clean"))

(let ((report-file (getenv "LEAK_LSP_REPORT")))
  (condition-case failure
      (leak-lsp-test--round-trip (getenv "LEAK_LSP_DOCUMENT"))
    (error (leak-lsp-test--note 'error (error-message-string failure))))
  (condition-case nil
      (let ((coding-system-for-write 'utf-8))
        (with-temp-file report-file (insert (json-encode leak-lsp-test-report)))
        (kill-emacs 0))
    (error (kill-emacs 1))))

;;; eglot_round_trip.el ends here
