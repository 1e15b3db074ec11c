;;; Hybrid extraction: invoice facts by regular expressions, judgement by a model, then a check.
;;;
;;; Pattern: every fact that has a fixed form (invoice number, dates, line items, amounts, VAT)
;;; is extracted by code, here Python's re and exact Decimal arithmetic, which also checks the
;;; invoice's own sums and dates. The model is asked only for what code cannot do well (which of
;;; the letterhead lines is the vendor, the spending category, a note for the approver) and is
;;; given the verified facts to write from. Its answer is checked in turn: the vendor must appear
;;; in the invoice, and every amount in the note must be one of the extracted amounts; what fails
;;; is replaced by a value built from the facts. Use it wherever hallucinated numbers are
;;; unacceptable: invoices, contracts, code documentation, reports.
;;;
;;; Run:    rlmsh run scripts/hybrid-extraction.scm --offline --context scripts/data/invoices.txt
;;; Prints: one line per invoice (number, vendor, date, total, category), the problems found in
;;;         the invoices and in the model's answers, and a summary (the result).

(define model "gpt-4o-mini")
(define categories '("software" "office" "events" "it-services" "other"))

(when (string=? context "")
  (raise-user-error 'hybrid-extraction "no invoices: pass --context scripts/data/invoices.txt"))
(define invoices (map string-trim (regexp-split #px"(?m:^=====\\s*$)" context)))

(py-exec "
  import re
  from datetime import date
  from decimal import Decimal

  MONEY = r'(\\d+\\.\\d{2})'

  def field(pattern, text):
      m = re.search(pattern, text, re.M)
      return m.group(1) if m else None

  def extract(text):
      items = []
      for line in text.splitlines():
          m = re.match(r'^(.+?)\\s{2,}(\\d+)\\s+' + MONEY + r'\\s+' + MONEY + r'$', line.strip())
          if m:
              items.append({'description': m.group(1), 'qty': int(m.group(2)),
                            'unit_price': m.group(3), 'amount': m.group(4)})
      facts = {
          'number': field(r'^Invoice no\\.:\\s*(\\S+)', text),
          'date': field(r'^Invoice date:\\s*(\\d{4}-\\d{2}-\\d{2})', text),
          'due': field(r'^Due date:\\s*(\\d{4}-\\d{2}-\\d{2})', text),
          'currency': field(r'^Total\\s+([A-Z]{3})\\s', text),
          'subtotal': field(r'^Subtotal\\s+' + MONEY, text),
          'vat_rate': field(r'^VAT\\s+(\\d+)%', text),
          'vat': field(r'^VAT\\s+\\d+%\\s+' + MONEY, text),
          'total': field(r'^Total\\s+[A-Z]{3}\\s+' + MONEY, text),
          'items': items,
      }
      missing = [k for k, v in facts.items() if not v]
      facts['problems'] = ['could not find: ' + ', '.join(missing)] if missing else checks(facts)
      return facts

  def checks(f):
      D = Decimal
      problems = []
      for i in f['items']:
          if i['qty'] * D(i['unit_price']) != D(i['amount']):
              problems.append(f\"line '{i['description']}': {i['qty']} x {i['unit_price']} is not {i['amount']}\")
      items_sum = sum(D(i['amount']) for i in f['items'])
      if items_sum != D(f['subtotal']):
          problems.append(f\"the line items add up to {items_sum}, the subtotal says {f['subtotal']}\")
      vat = (D(f['subtotal']) * D(f['vat_rate']) / 100).quantize(D('0.01'))
      if vat != D(f['vat']):
          problems.append(f\"VAT {f['vat_rate']}% of {f['subtotal']} is {vat}, the invoice says {f['vat']}\")
      if D(f['subtotal']) + D(f['vat']) != D(f['total']):
          problems.append(f\"subtotal plus VAT is {D(f['subtotal']) + D(f['vat'])}, the total says {f['total']}\")
      if date.fromisoformat(f['due']) < date.fromisoformat(f['date']):
          problems.append(f\"due date {f['due']} is before the invoice date {f['date']}\")
      return problems
")

(define facts (map (lambda (text) (py-call "extract" text)) invoices))

;; Every amount the facts contain, as printed: what the note may mention.
(define (amounts f)
  (append (filter values (list (hash-ref f 'subtotal) (hash-ref f 'vat) (hash-ref f 'total)))
          (append-map (lambda (i) (list (hash-ref i 'unit_price) (hash-ref i 'amount))) (hash-ref f 'items))))

(define (facts-text f)
  (format "number ~a; date ~a; due ~a; subtotal ~a; VAT ~a% = ~a; total ~a ~a; lines: ~a; problems: ~a"
          (hash-ref f 'number) (hash-ref f 'date) (hash-ref f 'due) (hash-ref f 'subtotal)
          (hash-ref f 'vat_rate) (hash-ref f 'vat) (hash-ref f 'currency) (hash-ref f 'total)
          (string-join (for/list ([i (in-list (hash-ref f 'items))])
                         (format "~a x ~a (~a) = ~a" (hash-ref i 'qty) (hash-ref i 'unit_price)
                                 (hash-ref i 'description) (hash-ref i 'amount)))
                       "; ")
          (if (null? (hash-ref f 'problems)) "none" (string-join (hash-ref f 'problems) "; "))))

(define answers
  (map-async (lambda (invoice)
               (define-values (text f) (apply values invoice))
               (llm-query-async
                #:instruction (string-append
                               "You prepare invoices for approval. From the invoice text give the "
                               "vendor's name exactly as printed, the spending category, and one "
                               "sentence for the approver that uses only the verified facts (quote "
                               "amounts exactly as given, mention any problem). Return JSON: "
                               "{\"vendor\": str, \"category\": \"software\"|\"office\"|\"events\"|"
                               "\"it-services\"|\"other\", \"note\": str}")
                #:data (format "INVOICE\n~a\n\nVERIFIED FACTS\n~a" text (facts-text f))
                #:model model #:json #t #:temperature 0 #:max-tokens 200))
             (map list invoices facts)
             #:max-concurrent 8))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

;; The model's answer, checked against the invoice and the facts; each failed check is noted
;; and the value replaced by one built from the facts.
(define (checked-answer text f answer)
  (define a (or (parse-json answer) (hash)))
  (define notes '())
  (define (flag! message) (set! notes (append notes (list message))))
  (define vendor
    (let ([v (hash-ref a 'vendor #f)])
      (cond [(and (non-empty-string? v) (string-contains? text v)) v]
            [else (flag! (format "vendor ~s is not in the invoice; using its first line" v))
                  (car (string-split text "\n"))])))
  (define category
    (let ([c (hash-ref a 'category #f)])
      (cond [(member c categories) c]
            [else (flag! (format "category ~s is not allowed; using other" c)) "other"])))
  (define note
    (let* ([n (hash-ref a 'note #f)]
           [n (if (string? n) n "")]
           [invented (remove* (amounts f) (regexp-match* #px"\\d[\\d,]*\\.\\d{2}" (string-replace n "," "")))])
      (cond [(null? invented) n]
            [else (flag! (format "the note mentions amounts not on the invoice: ~a" (string-join invented ", ")))
                  (format "~a ~a due ~a." (hash-ref f 'currency) (hash-ref f 'total) (hash-ref f 'due))])))
  (hash 'vendor vendor 'category category 'note note 'flags notes))

(define rows (map checked-answer invoices facts answers))

(printf "~a ~a ~a ~a ~a\n" (~a "invoice" #:min-width 14) (~a "vendor" #:min-width 28) (~a "date" #:min-width 11)
        (~a "total" #:min-width 12 #:align 'right) "category")
(for ([f (in-list facts)] [r (in-list rows)])
  (printf "~a ~a ~a ~a ~a\n" (~a (hash-ref f 'number) #:min-width 14) (~a (hash-ref r 'vendor) #:min-width 28 #:max-width 28)
          (~a (hash-ref f 'date) #:min-width 11)
          (~a (format "~a ~a" (hash-ref f 'currency) (hash-ref f 'total)) #:min-width 12 #:align 'right)
          (hash-ref r 'category)))

(printf "\nProblems in the invoices (found by code):\n")
(for* ([f (in-list facts)] [p (in-list (hash-ref f 'problems))])
  (printf "  ~a: ~a\n" (hash-ref f 'number) p))
(printf "Corrections to the model's answers:\n")
(for ([f (in-list facts)] [r (in-list rows)])
  (for ([n (in-list (hash-ref r 'flags))])
    (printf "  ~a: ~a\n" (hash-ref f 'number) n)))
(printf "Notes for the approver:\n")
(for ([f (in-list facts)] [r (in-list rows)])
  (printf "  ~a: ~a\n" (hash-ref f 'number) (hash-ref r 'note)))

(define flawed (count (lambda (f) (pair? (hash-ref f 'problems))) facts))
(define corrected (count (lambda (r) (pair? (hash-ref r 'flags))) rows))
(finish (format "~a invoices, ~a with problems to resolve before approval; ~a of ~a model answers corrected."
                (length facts) flawed corrected (length rows)))
