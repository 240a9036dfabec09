//go:build !purego

#include "textflag.h"

// func stringEndSSE(b []byte, esc bool) (q int, escOut bool, clean int)
//
// Sixty-four bytes at a time while they last: the quotes, backslashes
// and newlines of a block as bit masks (four PCMPEQB and PMOVMSKB of each
// kind), and the escaped bytes worked out from the backslashes without a
// branch per backslash (simdjson's way): a run of backslashes that starts
// on an even bit and ends on an odd one, or the other way, is odd and
// escapes the byte after it; subtracting the runs' starts from the odd
// bits carries through each run. R9 is 1 when the block's first byte is
// escaped. clean stops at the first block with a newline. The last bytes,
// under 64, are searched sixteen at a time: the first quote or backslash
// of a chunk is found with PCMPEQB and PMOVMSKB, and a backslash skips the
// byte it escapes, the search going on after it in the same chunk while
// it lasts.
TEXT ·stringEndSSE(SB), NOSPLIT, $0-56
	MOVQ    b_base+0(FP), SI
	MOVQ    b_len+8(FP), BX
	MOVBQZX esc+24(FP), R9
	XORQ    DI, DI
	MOVQ    $-1, R13 // clean, once a block had a newline
	MOVQ    $0x2222222222222222, AX
	MOVQ    AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ    $0x5c5c5c5c5c5c5c5c, AX
	MOVQ    AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ    $0x0a0a0a0a0a0a0a0a, AX
	MOVQ    AX, X6
	PUNPCKLQDQ X6, X6
	MOVQ    $0xaaaaaaaaaaaaaaaa, R10

sblock:
	MOVQ BX, CX
	SUBQ DI, CX
	CMPQ CX, $64
	JB   stail
	// AX: quotes, DX: backslashes, R14: newlines.
	LEAQ (SI)(DI*1), R15
	MOVOU   0(R15), X0
	MOVOU   X0, X3
	MOVOU   X0, X4
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PCMPEQB X6, X4
	PMOVMSKB X0, AX
	PMOVMSKB X3, DX
	PMOVMSKB X4, R14

	MOVOU   16(R15), X0
	MOVOU   X0, X3
	MOVOU   X0, X4
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PCMPEQB X6, X4
	PMOVMSKB X0, R11
	PMOVMSKB X3, R12
	PMOVMSKB X4, R8
	SHLQ    $16, R11
	SHLQ    $16, R12
	SHLQ    $16, R8
	ORQ     R11, AX
	ORQ     R12, DX
	ORQ     R8, R14

	MOVOU   32(R15), X0
	MOVOU   X0, X3
	MOVOU   X0, X4
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PCMPEQB X6, X4
	PMOVMSKB X0, R11
	PMOVMSKB X3, R12
	PMOVMSKB X4, R8
	SHLQ    $32, R11
	SHLQ    $32, R12
	SHLQ    $32, R8
	ORQ     R11, AX
	ORQ     R12, DX
	ORQ     R8, R14

	MOVOU   48(R15), X0
	MOVOU   X0, X3
	MOVOU   X0, X4
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	PCMPEQB X6, X4
	PMOVMSKB X0, R11
	PMOVMSKB X3, R12
	PMOVMSKB X4, R8
	SHLQ    $48, R11
	SHLQ    $48, R12
	SHLQ    $48, R8
	ORQ     R11, AX
	ORQ     R12, DX
	ORQ     R8, R14

	TESTQ R14, R14
	JZ    snonl
	CMPQ  R13, $-1
	JNE   snonl
	MOVQ  DI, R13

snonl:
	TESTQ DX, DX
	JNZ   sescapes
	// No backslash: only the first byte may be escaped.
	MOVQ  R9, R8
	NOTQ  R8
	ANDQ  R8, AX
	XORQ  R9, R9
	TESTQ AX, AX
	JNZ   sfound
	ADDQ  $64, DI
	JMP   sblock

sescapes:
	MOVQ R9, R8
	NOTQ R8
	ANDQ DX, R8 // starts of the runs: backslashes not escaped
	MOVQ R8, R11
	SHLQ $1, R11
	ORQ  R10, R11
	SUBQ R8, R11
	XORQ R10, R11 // the runs' ends and what they escape
	MOVQ DX, R12
	ORQ  R9, R12
	XORQ R11, R12 // escaped bytes
	ANDQ DX, R11
	SHRQ $63, R11
	MOVQ R11, R9 // the next block's first byte is escaped
	NOTQ R12
	ANDQ R12, AX
	TESTQ AX, AX
	JNZ  sfound
	ADDQ $64, DI
	JMP  sblock

sfound:
	BSFQ AX, AX
	ADDQ DI, AX
	MOVQ AX, q+32(FP)
	MOVB $0, escOut+40(FP)
	CMPQ R13, $-1
	JNE  sfoundc
	MOVQ AX, R13 // no newline up to the quote

sfoundc:
	MOVQ R13, clean+48(FP)
	RET

stail:
	// Under 64 bytes left, from DI; R9 says whether DI's byte is escaped.
	CMPQ R13, $-1
	JNE  stailc
	MOVQ DI, R13

stailc:
	MOVQ R13, clean+48(FP)
	ADDQ R9, DI

tloop:
	MOVQ BX, CX
	SUBQ DI, CX
	JLE  tend
	CMPQ CX, $16
	JB   tbyte
	MOVOU   (SI)(DI*1), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	POR     X3, X0
	PMOVMSKB X0, AX
	TESTL   AX, AX
	JNZ     tfound
	ADDQ    $16, DI
	JMP     tloop

tfound:
	BSFL    AX, CX
	LEAQ    (DI)(CX*1), DX
	MOVBLZX (SI)(DX*1), R8
	CMPB    R8, $0x22
	JEQ     tquoteat
	CMPL    CX, $14
	JAE     tfar
	ADDL    $2, CX
	MOVL    $-1, R9
	SHLL    CX, R9
	ANDL    R9, AX
	JNZ     tfound
	ADDQ    $16, DI
	JMP     tloop

tfar:
	LEAQ 2(DX), DI
	JMP  tloop

tquoteat:
	MOVQ DX, DI
	JMP  tquote

tbyte:
	MOVBLZX (SI)(DI*1), AX
	CMPB    AX, $0x22
	JEQ     tquote
	CMPB    AX, $0x5c
	JEQ     tescape
	INCQ    DI
	JMP     tloop

tescape:
	ADDQ $2, DI
	JMP  tloop

tend:
	MOVQ  $-1, q+32(FP)
	CMPQ  DI, BX
	SETHI escOut+40(FP)
	RET

tquote:
	MOVQ DI, q+32(FP)
	MOVB $0, escOut+40(FP)
	RET

// func stringEndAVX2(b []byte, esc bool) (q int, escOut bool, clean int)
//
// stringEnd with a block's masks made 32 bytes at a time (AVX2); the
// upper halves of the Y registers are cleared (VZEROUPPER) before the
// sixteen-byte search of the last bytes and before returning.
TEXT ·stringEndAVX2(SB), NOSPLIT, $0-56
	MOVQ    b_base+0(FP), SI
	MOVQ    b_len+8(FP), BX
	MOVBQZX esc+24(FP), R9
	XORQ    DI, DI
	MOVQ    $-1, R13 // clean, once a block had a newline
	MOVQ    $0x2222222222222222, AX
	MOVQ    AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ    $0x5c5c5c5c5c5c5c5c, AX
	MOVQ    AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ    $0x0a0a0a0a0a0a0a0a, AX
	MOVQ    AX, X6
	PUNPCKLQDQ X6, X6
	MOVQ    $0xaaaaaaaaaaaaaaaa, R10
	VPBROADCASTB X1, Y7
	VPBROADCASTB X2, Y8
	VPBROADCASTB X6, Y9

sblock:
	MOVQ BX, CX
	SUBQ DI, CX
	CMPQ CX, $64
	JB   stail
	// AX: quotes, DX: backslashes, R14: newlines.
	LEAQ (SI)(DI*1), R15
	VMOVDQU   (R15), Y0
	VPCMPEQB  Y7, Y0, Y3
	VPCMPEQB  Y8, Y0, Y4
	VPCMPEQB  Y9, Y0, Y5
	VPMOVMSKB Y3, AX
	VPMOVMSKB Y4, DX
	VPMOVMSKB Y5, R14
	VMOVDQU   32(R15), Y0
	VPCMPEQB  Y7, Y0, Y3
	VPCMPEQB  Y8, Y0, Y4
	VPCMPEQB  Y9, Y0, Y5
	VPMOVMSKB Y3, R11
	VPMOVMSKB Y4, R12
	VPMOVMSKB Y5, R8
	SHLQ      $32, R11
	SHLQ      $32, R12
	SHLQ      $32, R8
	ORQ       R11, AX
	ORQ       R12, DX
	ORQ       R8, R14

	TESTQ R14, R14
	JZ    snonl
	CMPQ  R13, $-1
	JNE   snonl
	MOVQ  DI, R13

snonl:
	TESTQ DX, DX
	JNZ   sescapes
	// No backslash: only the first byte may be escaped.
	MOVQ  R9, R8
	NOTQ  R8
	ANDQ  R8, AX
	XORQ  R9, R9
	TESTQ AX, AX
	JNZ   sfound
	ADDQ  $64, DI
	JMP   sblock

sescapes:
	MOVQ R9, R8
	NOTQ R8
	ANDQ DX, R8 // starts of the runs: backslashes not escaped
	MOVQ R8, R11
	SHLQ $1, R11
	ORQ  R10, R11
	SUBQ R8, R11
	XORQ R10, R11 // the runs' ends and what they escape
	MOVQ DX, R12
	ORQ  R9, R12
	XORQ R11, R12 // escaped bytes
	ANDQ DX, R11
	SHRQ $63, R11
	MOVQ R11, R9 // the next block's first byte is escaped
	NOTQ R12
	ANDQ R12, AX
	TESTQ AX, AX
	JNZ  sfound
	ADDQ $64, DI
	JMP  sblock

sfound:
	VZEROUPPER
	BSFQ AX, AX
	ADDQ DI, AX
	MOVQ AX, q+32(FP)
	MOVB $0, escOut+40(FP)
	CMPQ R13, $-1
	JNE  sfoundc
	MOVQ AX, R13 // no newline up to the quote

sfoundc:
	MOVQ R13, clean+48(FP)
	RET

stail:
	// Under 64 bytes left, from DI; R9 says whether DI's byte is escaped.
	VZEROUPPER
	CMPQ R13, $-1
	JNE  stailc
	MOVQ DI, R13

stailc:
	MOVQ R13, clean+48(FP)
	ADDQ R9, DI

tloop:
	MOVQ BX, CX
	SUBQ DI, CX
	JLE  tend
	CMPQ CX, $16
	JB   tbyte
	MOVOU   (SI)(DI*1), X0
	MOVOU   X0, X3
	PCMPEQB X1, X0
	PCMPEQB X2, X3
	POR     X3, X0
	PMOVMSKB X0, AX
	TESTL   AX, AX
	JNZ     tfound
	ADDQ    $16, DI
	JMP     tloop

tfound:
	BSFL    AX, CX
	LEAQ    (DI)(CX*1), DX
	MOVBLZX (SI)(DX*1), R8
	CMPB    R8, $0x22
	JEQ     tquoteat
	CMPL    CX, $14
	JAE     tfar
	ADDL    $2, CX
	MOVL    $-1, R9
	SHLL    CX, R9
	ANDL    R9, AX
	JNZ     tfound
	ADDQ    $16, DI
	JMP     tloop

tfar:
	LEAQ 2(DX), DI
	JMP  tloop

tquoteat:
	MOVQ DX, DI
	JMP  tquote

tbyte:
	MOVBLZX (SI)(DI*1), AX
	CMPB    AX, $0x22
	JEQ     tquote
	CMPB    AX, $0x5c
	JEQ     tescape
	INCQ    DI
	JMP     tloop

tescape:
	ADDQ $2, DI
	JMP  tloop

tend:
	MOVQ  $-1, q+32(FP)
	CMPQ  DI, BX
	SETHI escOut+40(FP)
	RET

tquote:
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
