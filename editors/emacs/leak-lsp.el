;;; leak-lsp.el --- Run leak-lsp in Python buffers through eglot  -*- lexical-binding: t; -*-

;; Load this file from your init file, for example
;;   (load "/path/to/leak-lsp/editors/emacs/leak-lsp.el")
;; or copy the forms below into it.  `leak-lsp' must be on PATH (pip install leak-lsp),
;; or replace the command with ("/path/to/python" "-m" "leak_lsp" "serve").
;; Works with the eglot of Emacs 29+ and with eglot 1.9+ from ELPA on Emacs 26-28.

;;; Commentary:

;; eglot runs one server per major mode: this replaces pylsp/pyright for Python
;; buffers.  Quick fixes: M-x eglot-code-actions (the preferred fix is the default).
;; Settings override [tool.leak-lsp] of the project, for example:
;;   (setq-default eglot-workspace-configuration '(:leakLsp (:ignore ["EL901"])))

;;; Code:

(require 'eglot)

(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode) . ("leak-lsp" "serve")))

(add-hook 'python-mode-hook #'eglot-ensure)
(add-hook 'python-ts-mode-hook #'eglot-ensure)

(provide 'leak-lsp)
;;; leak-lsp.el ends here
