//go:build !purego

#include "textflag.h"

// func quote16(b []byte, esc bool) (q int, escOut bool)
//
// Sixteen bytes at a time (SSE2, which every amd64 has): the first quote
// or backslash of a chunk is found with PCMPEQB and PMOVMSKB; a backslash
// skips the byte it escapes and the search goes on after it, in the same
// chunk while it lasts.
TEXT ·quote16(SB), NOSPLIT, $0-41
	MOVQ    b_base+0(FP), SI
	MOVQ    b_len+8(FP), BX
	MOVBQZX esc+24(FP), DI
	MOVQ    $0x2222222222222222, AX
	MOVQ    AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ    $0x5c5c5c5c5c5c5c5c, AX
	MOVQ    AX, X2
	PUNPCKLQDQ X2, X2

loop:
	MOVQ BX, CX
	SUBQ DI, CX
	JLE  end
	CMPQ CX, $16
	JB   tail
	MOVOU   (SI)(DI*1), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	POR     X3, X0
	PMOVMSKB X0, AX
	TESTL   AX, AX
	JNZ     found
	ADDQ    $16, DI
	JMP     loop

found:
	// AX marks the quotes and backslashes of the chunk at DI.
	BSFL    AX, CX
	LEAQ    (DI)(CX*1), DX
	MOVBLZX (SI)(DX*1), R8
	CMPB    R8, $0x22
	JEQ     quoteat
	CMPL    CX, $14
	JAE     far
	// The backslash at CX escapes the byte after it, in the chunk too:
	// the next mark after both.
	ADDL    $2, CX
	MOVL    $-1, R9
	SHLL    CX, R9
	ANDL    R9, AX
	JNZ     found
	ADDQ    $16, DI
	JMP     loop

far:
	LEAQ 2(DX), DI
	JMP  loop

quoteat:
	MOVQ DX, DI
	JMP  quote

tail:
	MOVBLZX (SI)(DI*1), AX
	CMPB    AX, $0x22
	JEQ     quote
	CMPB    AX, $0x5c
	JEQ     escape
	INCQ    DI
	JMP     loop

escape:
	ADDQ $2, DI
	JMP  loop

end:
	// DI is len(b), or len(b)+1 when b ends with a backslash that
	// escapes the byte after it.
	MOVQ  $-1, q+32(FP)
	CMPQ  DI, BX
	SETHI escOut+40(FP)
	RET

quote:
	MOVQ DI, q+32(FP)
	MOVB $0, escOut+40(FP)
	RET

// func plain16(b []byte) int
//
// Sixteen bytes at a time (SSE2): a byte is plain when it is above 0x1f
// as a signed byte (PCMPGTB: not a control, not 0x80 or above) and is no
// quote or backslash. The last chunk is the last sixteen bytes of b, its
// marks before DI (already read) shifted out.
TEXT ·plain16(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), BX
	XORQ DI, DI
	MOVQ $0x1f1f1f1f1f1f1f1f, AX
	MOVQ AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3

ploop:
	MOVQ BX, CX
	SUBQ DI, CX
	CMPQ CX, $16
	JB   plast
	MOVOU (SI)(DI*1), X0
	MOVOU X0, X4
	MOVOU X0, X5
	PCMPGTB X1, X0
	PCMPEQB X2, X4
	PCMPEQB X3, X5
	POR     X5, X4
	PMOVMSKB X0, AX
	PMOVMSKB X4, DX
	XORL    $0xffff, AX
	ORL     DX, AX
	JNZ     pfound
	ADDQ    $16, DI
	JMP     ploop

plast:
	// CX (0 to 15) bytes are left: read the last sixteen and drop the
	// marks of the 16-CX bytes before DI.
	TESTQ CX, CX
	JZ    pend
	MOVOU -16(SI)(BX*1), X0
	MOVOU X0, X4
	MOVOU X0, X5
	PCMPGTB X1, X0
	PCMPEQB X2, X4
	PCMPEQB X3, X5
	POR     X5, X4
	PMOVMSKB X0, AX
	PMOVMSKB X4, DX
	XORL    $0xffff, AX
	ORL     DX, AX
	MOVQ    $16, R8
	SUBQ    CX, R8
	MOVQ    R8, CX
	SHRL    CX, AX
	TESTL   AX, AX
	JZ      pend
	BSFL    AX, AX
	ADDQ    AX, DI
	MOVQ    DI, ret+24(FP)
	RET

pend:
	MOVQ BX, ret+24(FP)
	RET

pfound:
	BSFL AX, AX
	ADDQ AX, DI
	MOVQ DI, ret+24(FP)
	RET

// func masks64(p *byte) (quotes, backslashes uint64)
//
// Four chunks of sixteen: PCMPEQB against '"' and '\\', PMOVMSKB of each
// shifted into place.
TEXT ·masks64(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2

	MOVOU   0(SI), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PMOVMSKB X0, AX
	PMOVMSKB X3, BX

	MOVOU   16(SI), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PMOVMSKB X0, CX
	PMOVMSKB X3, DX
	SHLQ    $16, CX
	SHLQ    $16, DX
	ORQ     CX, AX
	ORQ     DX, BX

	MOVOU   32(SI), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PMOVMSKB X0, CX
	PMOVMSKB X3, DX
	SHLQ    $32, CX
	SHLQ    $32, DX
	ORQ     CX, AX
	ORQ     DX, BX

	MOVOU   48(SI), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PMOVMSKB X0, CX
	PMOVMSKB X3, DX
	SHLQ    $48, CX
	SHLQ    $48, DX
	ORQ     CX, AX
	ORQ     DX, BX

	MOVQ AX, quotes+8(FP)
	MOVQ BX, backslashes+16(FP)
	RET
