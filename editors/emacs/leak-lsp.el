;;; leak-lsp.el --- Run leak-lsp in Python buffers through eglot  -*- lexical-binding: t; -*-

;; Load this file from your init file, for example
;;   (load "/path/to/leak-lsp/editors/emacs/leak-lsp.el")
;; or copy the forms below into it.  `leak-lsp' must be on PATH (pip install leak-lsp),
;; or replace the command with ("/path/to/python" "-m" "leak_lsp" "serve").
;; Works with the eglot of Emacs 29+ and with eglot 1.9+ from ELPA on Emacs 26-28.

;;; Commentary:

;; eglot runs one server per major mode and project: this replaces pylsp/pyright for
;; Python buffers.  The project of a Python buffer is the nearest folder above it holding
;; one of `leak-lsp-root-markers' (the markers leak-lsp itself uses), with or without git,
;; so opening any file of a project reaches the same server.
;; Quick fixes: M-x eglot-code-actions (the preferred fix is the default).
;; Settings override [tool.leak-lsp] of the project, for example:
;;   (setq-default eglot-workspace-configuration '(:leakLsp (:ignore ["EL901"])))

;;; Code:

(require 'eglot)
(require 'project)

(defvar leak-lsp-root-markers
  '("pyproject.toml" "setup.py" "setup.cfg" "template.yaml" "template.yml" "template.json"
    "serverless.yml" "serverless.yaml" "cdk.json" "host.json" ".git")
  "Files whose folder is a project root, as leak-lsp decides (leak_lsp/project/files.py).")

(defun leak-lsp-project-root (directory)
  "The nearest folder at or above DIRECTORY holding one of `leak-lsp-root-markers'."
  (locate-dominating-file
   directory
   (lambda (folder)
     (seq-some (lambda (marker) (file-exists-p (expand-file-name marker folder)))
               leak-lsp-root-markers))))

(defun leak-lsp-project (directory)
  "The project of a Python buffer: a transient project at `leak-lsp-project-root'.
For `project-find-functions'; other buffers are left to the other functions."
  (when (derived-mode-p 'python-mode 'python-ts-mode)
    (let ((root (leak-lsp-project-root directory)))
      (when root
        (cons 'transient (expand-file-name root))))))

(add-hook 'project-find-functions #'leak-lsp-project)

(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode) . ("leak-lsp" "serve")))

;; JavaScript and TypeScript buffers too: eglot runs one server per buffer, so this takes them
;; from typescript-language-server; evaluate it only if leak-lsp is the one you want there.
;; (add-to-list 'eglot-server-programs
;;              '((js-mode js-ts-mode typescript-ts-mode tsx-ts-mode) . ("leak-lsp" "serve")))

(add-hook 'python-mode-hook #'eglot-ensure)
(add-hook 'python-ts-mode-hook #'eglot-ensure)

(provide 'leak-lsp)
;;; leak-lsp.el ends here
