//! Vouchers (凭证): the PDF a finished case gives its driver, and the public check of its code.
