// Tokens of TVMScript (.tvms): the Python subset that TVM's printer writes.
// NEWLINE keeps the indentation that follows it; compiler/frontend/indent_token_source.cc turns
// it into INDENT/DEDENT, drops it inside brackets and reports tabs.
lexer grammar TvmsLexer;

tokens { INDENT, DEDENT }

DEF      : 'def';
CLASS    : 'class';
RETURN   : 'return';
FOR      : 'for';
IN       : 'in';
IF       : 'if';
ELIF     : 'elif';
ELSE     : 'else';
WHILE    : 'while';
WITH     : 'with';
AS       : 'as';
IMPORT   : 'import';
FROM     : 'from';
PASS     : 'pass';
AND      : 'and';
OR       : 'or';
NOT      : 'not';
IS       : 'is';
LAMBDA   : 'lambda';
TRUE     : 'True';
FALSE    : 'False';
NONE     : 'None';

NAME     : [a-zA-Z_] [a-zA-Z_0-9]*;

FLOAT
    : DIGITS '.' DIGITS? EXPONENT?
    | '.' DIGITS EXPONENT?
    | DIGITS EXPONENT
    ;
INTEGER  : DIGITS | '0' [xX] [0-9a-fA-F]+ ('_'? [0-9a-fA-F]+)*;

// Triple-quoted strings span lines (TVM's metadata section is one); the shortest match ends
// at the first unescaped closing triple quote.
STRING
    : '"""' ('\\' . | ~'\\')*? '"""'
    | '\'\'\'' ('\\' . | ~'\\')*? '\'\'\''
    | '"' (~["\\\r\n] | '\\' ~[\r\n])* '"'
    | '\'' (~['\\\r\n] | '\\' ~[\r\n])* '\''
    ;
// An unterminated triple-quoted string reads as an empty string and an unterminated one.
UNTERMINATED_STRING
    : '"' (~["\\\r\n] | '\\' ~[\r\n])*
    | '\'' (~['\\\r\n] | '\\' ~[\r\n])*
    ;

NEWLINE  : ('\r'? '\n' | '\r') [ \t\f]*;

LPAREN   : '(';
RPAREN   : ')';
LBRACK   : '[';
RBRACK   : ']';
LBRACE   : '{';
RBRACE   : '}';
COMMA    : ',';
COLON    : ':';
SEMI     : ';';
DOT      : '.';
ARROW    : '->';
AT       : '@';
ASSIGN   : '=';
AUGASSIGN: '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '**=' | '&=' | '|=' | '^=';
EQ       : '==';
NE       : '!=';
LE       : '<=';
GE       : '>=';
LT       : '<';
GT       : '>';
POWER    : '**';
STAR     : '*';
DOUBLESLASH: '//';
SLASH    : '/';
PERCENT  : '%';
PLUS     : '+';
MINUS    : '-';
TILDE    : '~';
AMP      : '&';
PIPE     : '|';
CARET    : '^';
LSHIFT   : '<<';
RSHIFT   : '>>';

SPACES       : ' '+ -> skip;
TAB          : '\t'+;
COMMENT      : '#' ~[\r\n]* -> skip;
LINE_JOIN    : '\\' ('\r'? '\n' | '\r') -> skip;
ERROR_CHAR   : .;

fragment DIGITS   : [0-9] ('_'? [0-9])*;
fragment EXPONENT : [eE] [+-]? DIGITS;
