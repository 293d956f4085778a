from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "outbox_events" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "type" VARCHAR(64) NOT NULL,
    "subject" VARCHAR(64),
    "payload" JSON NOT NULL,
    "occurred_at" TIMESTAMP NOT NULL
) /* Something that happened, written in the same transaction as the change itself. */;
CREATE INDEX IF NOT EXISTS "idx_outbox_even_type_d6e2ee" ON "outbox_events" ("type");
CREATE INDEX IF NOT EXISTS "idx_outbox_even_subject_306ded" ON "outbox_events" ("subject");
CREATE INDEX IF NOT EXISTS "idx_outbox_even_occurre_bbee2d" ON "outbox_events" ("occurred_at");
        CREATE TABLE IF NOT EXISTS "outbox_deliveries" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "channel" VARCHAR(32) NOT NULL,
    "attempts" INT NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "last_error" VARCHAR(500),
    "delivered_at" TIMESTAMP,
    "failed_at" TIMESTAMP,
    "event_id" CHAR(36) NOT NULL REFERENCES "outbox_events" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_outbox_deli_event_i_6d0293" UNIQUE ("event_id", "channel")
) /* One channel's (email, later webhooks) delivery of one event, with its retries. */;
CREATE INDEX IF NOT EXISTS "idx_outbox_deli_channel_35e7b9" ON "outbox_deliveries" ("channel", "next_attempt_at");
        CREATE TABLE IF NOT EXISTS "user_tokens" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "purpose" VARCHAR(16) NOT NULL /* VERIFY_EMAIL: VERIFY_EMAIL\nRESET_PASSWORD: RESET_PASSWORD */,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "expires_at" TIMESTAMP NOT NULL,
    "used_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL,
    "user_id" CHAR(36) NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
) /* A single-use secret mailed to a user (verify the email, reset the password). */;
CREATE INDEX IF NOT EXISTS "idx_user_tokens_created_dd045d" ON "user_tokens" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_user_tokens_user_id_76d92e" ON "user_tokens" ("user_id", "purpose", "created_at");
        ALTER TABLE "users" ADD "email_verified" INT NOT NULL DEFAULT 1;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "users" DROP COLUMN "email_verified";
        DROP TABLE IF EXISTS "outbox_events";
        DROP TABLE IF EXISTS "outbox_deliveries";
        DROP TABLE IF EXISTS "user_tokens";"""


MODELS_STATE = (
    "eJztXWtz4rjS/isqvmymip0amEl2TvbUqSIJs8tuAikgeznLltfYAnxiy6wvYXjPmf/+qn"
    "0BX2THcgwxHn0Jxlbb5GlZaj3d6v5vyzBVrNtve66zmq4s03F03LpE/20R2YAD5vU2asnr"
    "9f4qnHDkuSfZkmlLyYk2nduOJSsOvbiQdRvTUyq2FUtbO5pJQOSTrOlY/VY3lxpBiukSB1"
    "toYVrIJBg94i06kwmSFe/KNzbCBm2P6GUZKbqGiYNkVbWwbb95C89TTYU+UCPL6m/tEu1v"
    "F0uOucTOClv0AX/8SU9rRMWfsR1+XT9KCw3ragxH+iy4g3dBcrZr7+T1SrY+eU3hd88lxd"
    "Rdg0Sar7fOyiS79vT/grNLTLAlO1iNQEpcXQ9UEJ7yfy094Vgu3v1MdX9CxQvZ1UExIO3/"
    "hP25liQNR1Np0p9KUiultFAiAnZwSjEJKFwjju0hYMifJR2TpbOiX9+/e/fFf9AeCb8ZPP"
    "GX3vj6x974jLZ6A480ab/xe9UwuNT1r33xbiI7sn8bD/o91guqRJdqLQ34gDhsvKMiCdDp"
    "P1IG9PDEHvV97w8hfncozJfwC77tdj589+Hj+4sPH2kT71fuznyXo4XBcOoBvAd0Q/8Jcy"
    "PZjmw5aVBvKCqOZmA2sknZBLpqIPw2PDgU1gfs4jlYTgd3/cm0d3cPtzds+2/dQ6w37cOV"
    "rnd2mzh7dpHo/LuboF8H0x8RfEX/Hg37Hpym7Swt74n7dtN/t+A30aHYlAgFnw5iEUzC0+"
    "GpLzBoLR4jrxKcmMvK40a2VCl1xeyaWW3Tl4yukTwjE3npKQnQhN8ZzDEDCqpMFOb8s7uW"
    "O/doQSu72LwzXWFkuYRQ3SJbUzEyF3Tgt935rtUl2tBxHiPNQZqN1rqsYBXJREUrcxOcVE"
    "0qnp54Kr73C2YeTU2/sg8Pgxv26+q3Trykrqupb0HmMLNP658LlyiACfKeBH8+/Kt1/LfV"
    "n3z81y/6Ynn/ev6cE9WsxAc5Q/S4+L/O0Pgs2BFwsfWkKZgX15hUlZCm55vTw9Sl8HACGh"
    "ERaMbRJHQy4kQzIvICNAOoGgUmncQdl2G9w3KpT1zDwzNqEcRf+510NaunAoi27vvDm8Hw"
    "B84pKxS7RMHBjNyPR78MJoPR0D8d+TYj44ehfzo4mJFPvcFt/+YS+Z8zMpmO7u/hRHCQtE"
    "qKrNA6FwUWaJ2kibpfn8GluDotLNv0/2Wqk/1q7CVKqfD5d+Koy4MEvu+6H4ogTJtlY+xd"
    "jKOsYoeuYXlQ3ks0D+Xuuw8fC6AMzTJR9i8mZk2LC+KgefPwrZDHiUyi9NNey/6YXhTimN"
    "ChRvxXRPrifQGgL95n4gyX4jArazcN8CfdlDO4saB9AtsFCJwgujlo3owerm77dNbtX3uz"
    "bpyd8S7CKXpCczwMxv3ebQJcAxumxaB6r7RlJvm4lzke9XjI/uuzj//odt+//6777v3Fx/"
    "MP3313/vHdjoZMX8rjI68GPwAlGevfaY7SdujVJWPoyEM+IiSgLw29x10ZmDC44Z8moyEb"
    "+phQkhTWFAf9D+mafTAlRDinuavpjkbst/DY16CdAKQYPxyO3md3vd+SA/v17egquYaCG1"
    "ylOBPFwg5jFZWtkoiIUEjlCvEZXknm9qDEBCtwn9TMsDx170nMtKIrV6eUkuOSDXSSwaJe"
    "HRF9G/TAE1F78LLkat1dqyW1HpcUWq+L1hkvu/fra+Ip/cnUyNR8xKTFcJXuL7bzfKX/oc"
    "0kB9oV9Jb2kKK7NsTPgCjyRBFEz6iGRjSQpsY0WslEtelFRH857QPfI3tlbggyiUJvCeY2"
    "Vmkbe4XVtM/0IE8QntNasPvZnlPvM4VzPuHTUK6nU4hV6+Swap00q+a9RhK8ETwox6UaF4"
    "d2UYSDv8hm4C9S/PvawgvtMw/Ee4kmduXK3Uj481qjo0oJKysuKVZQ9TGq0rY0dCLX5ord"
    "jIqUYvFqps6qozc54XwRlI0Og7XwE50Vy6zz4pJiBKrzCCQ4nOwX6jRX80U4nFB3c4bvLn"
    "vNF5c6aBhXXd7nZ1Z6NWFIbrG6xFbP39jTYrAk8QbtPKZE95pKwS6hwmzJRtZ17KAzc0Ow"
    "iuZbJCMIoESOqcrbNv3mYNlAOu0T1ht/y9GaflmYlhFuSGIxJBXcdUZmBMLTDW1JeyRwB/"
    "Q1sWnL6x/71z8jZyU76BHjNZzyH/eNjRRZWcEDZR2C7hBtAjefm094RgyNuDbSHNrKwqrm"
    "IF0zNId2avoQWPbPZUCImFSGjh3IdC2kUJjbiC6AwNoAjofeyFIteeEI0qYur3I7h7QR29"
    "n8VW63EGHTzSFsuinC5pH+Z2xwnw9+DWXrzCi0fu3d3vanl8j/nJFx/5f+8KF/iYIDOPPp"
    "YXgzgTPewYzc936/6w+n0vVtvzf2g2MTZ7zg2bvRdDAa9m6l63H/ZjD1QmgT55KDaqFwwi"
    "J0UU7AZjpcE8Zvy9dPSVXH71DjEMPWw6Q/vkTwtwz21TNJPnJ8E0VURoTrx01n17IwUbgm"
    "hKhMnceqsuGxRYJjs0Njkx02sLrSAOfFtkWEGsSKHTm0zTdoJc+g5YM/KdkYOu34GhB0zF"
    "dBx3BQBxG3G30uxYhBcF8Fkp9+HmPdW+cyukGMDbj373WCPeFL2PfDs61IwMphOZYQtEyO"
    "JYLqsxxLVJvPcywjgpGOl/7WetqW2LLi76yHoBEDyA50RvATttD/Yct8AzwHViF0BLK/hH"
    "QIGnotglCsNOdysKcIkqMWhmw2yeErl2/a38uIDQWl5/zAdJXkhYOtUlbvXlTYvl+H5XVU"
    "ErBZhldU6cF8xcmOxKUOmxziRBxhsRC8vdXACWxaUoDL8jIysU4D/cm0sLYkP+NtilvNWx"
    "hM4/c8TZhTiwN62pI3O+uS0dfoAUUBh5tdJ9Px4HraYo0XlUEd8cg2FOb4WJkB8Wt6zaO9"
    "PXNVl3glnl3ZRToXx+rOMJ+8PaKw+DLocmpLId2Y4Ho2aPdC4XIR2a5hQKY1uuiCNVihNV"
    "2F9xYruRrMCe2clZymYmNtOuBxkDhd1wzRxrmxu4X2HXRz9h10GfsOXuDbfJFX8ziLhdZ0"
    "dC893F8i/3NGAIgf+pfI/wx92KELe0Z6Nz89TKbgsr5E++N6eESFC+/QLjwLLzDAhXN8/l"
    "mxw0nJJqLdLQJ3NxvvbjbgrCm2CNzMybYJYFe/+YkaciZvREVURkTOvnLKvFIdtnUoIzDe"
    "Xc8LWSfnOdbJedo6EeTmV0JuCq/yaXmVh/Sj/4TZUfv7i+08zsFLrYuhXeFofQsrpgV+2x"
    "WWdWflO3o1b9XrOX7hlqx4/MJyFXMEeT4w5pzKcHwFr0x9F6lHdHvl5Cd4rdTONZsXqrFs"
    "FpZpSC9L8Jy4RZ0jn9MJnnvX08Ev/Uvkf84ISI/7vZvfL9HucEYGw7BdeDQjdz3aV/vD3v"
    "Cano58qQeDQGfdl2k1doM6L7q+IqWexjLkaOvm804RloK2yl6IdFI8xWktROqylq7TyiPE"
    "pK51lcBonsjGml3ZL3L1eZva9hpyOPAseYMcrGMDO9YW+eLfozPibf+08d9voMyR39+QbV"
    "J72cJrXd76ebxs2DO68nxvG01hmN8HeQLDUP8jatHRe7b+TJjusQa089LLf3ifwqYXNv2J"
    "DrFc9Zn+5uvNgYAIkS0dnMnK7JyHODOtswC8OODK2pXW2FKYac7zqydE5UQVheJVFCCrF+"
    "c0mRAU/b10f1c1+7GEAmJiAv7S8NNxQe1wDTQ7CTHEFBliAK5zboDPBcA8AHf4Ee4IiHMh"
    "rh2pMDZ13V23cqmFoE27IMEgWV77gjyD/wgbmboKibBWMvEyTwExYGGH2l3gjPPLkLeR/I"
    "Sh4o+KqE2G5q7yiBlptiq543M8gt80RSUIxkAwBic6pHEwBkHn5+rQexlhV5a2Kzea6jAS"
    "wWeCvmvfJMwrywgc4cML4hmREIgKmuV1TfQIaJIhM4oXFAM8lBWgC27rJCZBwW0JbqtpQ0"
    "yNeIHM0mT7i+1nmQCe0mSQzXqOZYsuwCHtHizQZR3ibyEDE9ztG9uvFva9n4EaUlVPfux9"
    "2z2/gOiAR7xmkABV3VRsDq7F2jN7aS8KZB1lj5gIdMuGvllbbkTNnBcOZnVScmZ0Y1TLgh"
    "09ZEojgIphLvMm2PnVtB6xNQxudprAPptdJ9KtYql1rnuT695N/7Uy64xcZ25+vsG69oSt"
    "Lcs2TrTINZBNry38d9BY4wnIVVYyIVintusZNmSNIu3VikEbPF+Z5qP9BgV33YamrrePro"
    "02mrPybFwLO/BIdjRudbeHKjV/EfzZoROAg401fP4FhvXchG124I7zIn5h8EcyUb1Tii5r"
    "xiWSw6f43jsHOfIjlJmZEcvceIl/oFwNbaZj2abSKzr9tv3o4ISgSn8KMjT1WxvTR9Dmga"
    "jqUrEl7YczAoWHvYf7N6Pt7Ldo4MBPhU6Adtd3/zm9soCCxlBQ5yx8oAqZhxYUMqy+yfYf"
    "4nDzYwA0IxI5vALvcxw+znBksdKoeqURUU3RZUZEpIE7aqpP+xH0dh6XTFSkMVn6K3PIJM"
    "cQTiueIS5M+Tqb8rpsOxK2LJOReDl7mIpL1XhLbsmB6iA5SHZTf4n3KikrXqo6v1S+XVdC"
    "zTFBoeM669gzzTlJkKiMYEHyWZDd0ueFNIi/0N5lkTlNaJ/lQaI9q35ESGaCn4RynqVAeJ"
    "L8TEwDB5t9YWm/ojenuqcL/42lUQOVIM0P87XpT4oWekGy7ZMLdCm2xEBSYH3BCBqu9PZh"
    "kV5NBboArnv/6jc2iiSkpceX3o5mBYMx4D/Yxj5F4e1o3vELwDrMCL0MLIXjkRJv0CMdy7"
    "y2wSO8n+Y9R3gu6zIitvM8l1u+VKJh+xqn1a2Nu9J25//BCmPCyYY3InKgFVCTAF7LWwjr"
    "SQP802Q0ZAMcEUnawprioP8hXbMPNqlHBoy5q+mORuy38NjXGDMAophdHAJ9dtf7LamD69"
    "vRVXJwgRtcJcviKl5K5zLLlIRo85JinvpChSM6LMVPaKwAd548mGnXVkOM7oMmwhzjBVX6"
    "KjOYLnY911a2/JZcIXXgzDPXMmTNCcSRJ54T7IbGpuP1BDBl6eiIFqZlUPN0IRuavmX7C6"
    "t/hDBaa260+rriJEpiQiKnZjL3oghgPILBij+vNaqEEuZRXLKBAYynbh5F1QwbPEroOCIm"
    "ePo661dEpH4NWhbR5tnzZHOjzekgbEnephweSygu1bzgBbqCKmAL0VbZ5d3OU7mhtTXoha"
    "ouI+N3xqIpJtU8qD+cF0D6w3km0HDpS7pL8y2WIiLCqZzvVAao0tBy+5QfgtucJqTPOpMj"
    "HapOvuQJtp40BbcY5Fh4qZ3Hi9l+o2KMWDaognGqwTvezmGcvE+OSSps3zhOpFMoirGTE8"
    "XYSUcx2rq75PKSBu0bh+5FkZKhF9k1Qy9SRUOjPyuF8BR/zspTERdrQEHAvCVK/7dpvit0"
    "t0K5HQ1/CJsn/aOJvcoUmKVp8dXDjcg0L8DivFj8c074c7JzP2HLZnbsbIgjIg3cDFM9xC"
    "+ryHT4ckxpa8Ovi8Q5jLSS9ZdYlZZu+pBSpTft31yi/XGrzCxaeZ0lwyTOSt9KayuwWRO+"
    "9rykUElRkZeIoZWCNRWwsYbtqmkNZIckRWWOH5P0Osvtg0Qf0UumaymsWJNs9GNCL4K/Zq"
    "zSsdEXdHn2WNRgunytltR6XFJovS5aZ/jGdoFqNcgON3HnUW2kabvo9XYudxdpKQi8hhN4"
    "dfaBnF64WEB7cwIalxKYpnaLqKZBb8rFhEaFBB36LB16enRGUCGal894vsL0fW8ylW4e6J"
    "nwaEYmDxNoDwTH7nBGrqGc9O0tnN0dzkj/t/vBGM4FB/XgQbxNJMSBvOKaqUI9cIt/PZJx"
    "jwbaqKdrkzLiteJqw4QxOXEpPriD2IpUZ61j8sRD9wTNxd6/6vkfmDL1cjlKkrIiMLbOr5"
    "zt2ms6NlJtzbncm0m55sXuHcCeEaxqw/g1wap+jVqvOas6NdcPzAKc/oV2Ho/qmGupcKXN"
    "O5PgLZKR4tqOaWAL2bLmJd7doo2m62gtb5FG2vSMZbrLFW25tswnTcXW914NDc2BNLfUWm"
    "gj2MJrkoVmGemNwYd7jGB6a8GbZTO95oaiImXntXme5onfoc5hQq2HSX98ieBvPegXHzq+"
    "jh6VEaTw6WzdOD00ZcN0Wfu68qKj9jIiLKp0WJRPrCl8wbARmTqPwSWXikVcG9mejZRjIz"
    "RfeBCOyjQR4cozw3/F3qPr0fDTYHzn+YDCw3qYHBZeYBgouPbnxIQa5zetvudr8DRX2YXK"
    "FN1HkpRrxDBz7K0kkUyvnLZgWvIFJmHNmNdqTMJgaZ/BZWcjm5QTuGbhWoK5TsgKb1B9SE"
    "uG2/2kPBRHnZRPk6rOclDUhKr2EiUwmOowgUI2UQ3MiAj0bTj9+7o79Wu1AD7IXn2vJiMP"
    "wDuBxi2zuudFEkTSVjlJkRg5zW17Y9JBkjcZZ0qwgT26e14kORJtlYN4Kj2SZeqlXUWh7P"
    "EYnZ2vp5SXaEZ6N3eD4WAyHfemI3oy9rUehI5mS7BkfWJtYzYp3jLJmDGjcgmFzKnggTQS"
    "njjuDHk1Gt3GbMWrQZJJeLi76lPoPeRpI83JIOe9AVqCLO30QQwbJRf0tPDBkE+POycPvY"
    "1tyEYhZSayyHRLMSSP55/qHGqwr7jwqFdSUjeXGimxOk0JCxpC0BCChnh1GkLESTZZ6xXE"
    "ScZcg4mqJQnLhqMCTbJWyol1hy/hC5CsPxNLIuSXiq0CLmDjGofVoWnNzEI9MTTzCU6uEj"
    "09ZFMgdPwtlUQ2pjOhg/xOgBwTyQhuiM48637rV5CEq21E3wTaEk6ErMObdAxulTeHWpaj"
    "zJI+kzUmDppv6VMcB8pn/hWUUvjre9rIduGUjAje0AeaUDJoAbefEa9Y5dq16PhEfyHsTf"
    "GLWJq6iq2C0b5/xALu/HvBYcSq+FNQwq9KCUe0UobjiYjXmVJr/dIfDz79LvXveoPbSxT9"
    "NiPjPkjd9yaTX0fjm0sU/14P3kfUIGKlQBA1iMR6WNQgEvoVfMfXqOU67/+oy6srSnd8la"
    "U7fjWtR2wN6ZcWY8UcudrOWzJvvHb0/VOPUMTjj8TYS0EVa8OvOVyoRguN7nmRHUm0VU5o"
    "RWpX0ooqgxfhqEyd19t1wvnVKqnVG+vqS6kpa5cCaLFSjGe66mMyTdpEWpmfHhCSLWWlOV"
    "hxXItruGDJNrArV7+lyzEdWZcMbDCL1ORtiU5KNqlPH7tehAel7dA2S86yHSlRoYbSaig7"
    "+IiBp8TAY64BDfoLJHtrO9jgAZwl20DQO92PRbwr3Y/Z7hW4JnavZ+Q+Bulxv3fz+yXaHb"
    "JrPt316GjRH0La40sU+VIPl5mvFMnCss1XBi0l2LxcjOedIiMXbZVdDa2TkQFCUlYyWZYi"
    "35k3EJ6WOnPwmveeqCwj+ZntCDuxI8bE786cbFA8Bc5WVlh1fRy4UU8Ii50ghZGH8XNtqj"
    "zkRlTkiBsQOu8Ou/6ojtoIU8rzwZoUOx60pwKsrOum4vlSlLXLcOLpppyV0S0pmQB3AaKn"
    "Bm8Odjejh6vbPoJ6pYPJIMj8vpthvYvxgYGaw7eZaJchjFjSjenRx6YqdliWYo2Y4kIX5X"
    "QBkcrWU4khKCkoRqBnR6AdZGUGIIaw6PMv7POlhh+WtNDECzXBaVum5BqjgAo3Ds+DQKE4"
    "ptl1hfYSorRQbDVaRWkhOlDQtRC/UpJyQjWVq8bxn8yhlL1EPdQBz2uMOh7dOcRnZieUyH"
    "YJMESb5xSofjsNfRz0aGxJlktCsr5w8ApLuHmoH8Sd+YgtgvVSPT0lKSAvBLlpS5rBtPlz"
    "PPYRGQFzIZi9zDMrLFvOHJfMWxOTFu7FOrsXQ33pzkpSVlh5LKvw2A2EzuuscwhaXWNLwa"
    "xqNDm8YUKuJG14Ooqtgjj0KT8JNrbycVUJwVIsSc2gfh2iStXsxxL4x8QE+mXRp4OC2uEa"
    "ZXYSYnwpML4AWufc+J4LfDnw7fAD3BEIF0WYPk3VMkr7ZPN4cSnB5R2I9S7Bb6QEm7furn"
    "5XgreKsvHffDZKVKoxbrQjGyiw917y88NxZ39iyTavtx+AtT6p7DHHhf40E6eKdLlfo9YZ"
    "bFP5dLlV5H2FjCsi7ytHGpsetjRl1WKksAmutPPS18j7NrWpaZVpLDFz1DDMpGAoy+spr5"
    "s4pZJoo+ycNCVM/pca+3V7FY9Q9gdeKg6Eg+YNRPcgZcIgsoHp3cglFBy2Y+MIbMLrsDeV"
    "8QYc8331k9mX/wcAkHud"
)
