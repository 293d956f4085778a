from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# Written by hand: aerich refuses SQLite migrations that change a column comment (the
# top-up and subscription status enums gained members), and SQLite keeps no comments
# anyway. The models state below is the PostgreSQL migration's, which describes the same
# models.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "payment_events" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "provider" VARCHAR(32) NOT NULL,
    "event_id" VARCHAR(255) NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "top_up_id" CHAR(36),
    "outcome" VARCHAR(200) NOT NULL,
    "received_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_payment_eve_provide_a07738" UNIQUE ("provider", "event_id")
) /* A provider's event, by its id, written in the transaction that acted on it. */;
CREATE INDEX IF NOT EXISTS "idx_payment_eve_top_up__0b6916" ON "payment_events" ("top_up_id");
        ALTER TABLE "top_ups" ADD "redirect_url" VARCHAR(2048);
        ALTER TABLE "top_ups" ADD "provider_ref" VARCHAR(255);
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_top_ups_provide_83be1c" ON "top_ups" ("provider_ref");
        ALTER TABLE "subscriptions" ADD "cancel_at_period_end" INT NOT NULL DEFAULT 0;
        CREATE TABLE IF NOT EXISTS "subscription_events" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "subscription_id" CHAR(36) NOT NULL,
    "from_status" VARCHAR(16) /* PENDING: PENDING\nACTIVE: ACTIVE\nPAST_DUE: PAST_DUE\nSUSPENDED: SUSPENDED\nCANCELLED: CANCELLED\nEXPIRED: EXPIRED */,
    "to_status" VARCHAR(16) NOT NULL /* PENDING: PENDING\nACTIVE: ACTIVE\nPAST_DUE: PAST_DUE\nSUSPENDED: SUSPENDED\nCANCELLED: CANCELLED\nEXPIRED: EXPIRED */,
    "reason" VARCHAR(500) NOT NULL,
    "actor_id" CHAR(36),
    "at" TIMESTAMP NOT NULL
) /* One change of a subscription's state, with why and who; written in the database */;
CREATE INDEX IF NOT EXISTS "idx_subscriptio_subscri_b18107" ON "subscription_events" ("subscription_id", "id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "subscription_events";
        ALTER TABLE "subscriptions" DROP COLUMN "cancel_at_period_end";
        DROP INDEX IF EXISTS "uid_top_ups_provide_83be1c";
        ALTER TABLE "top_ups" DROP COLUMN "redirect_url";
        ALTER TABLE "top_ups" DROP COLUMN "provider_ref";
        DROP TABLE IF EXISTS "payment_events";"""


MODELS_STATE = (
    "eJztXW1zo7iy/isqf9mZKu/U2JNk5mZP3SoncXa9m9gp29mXsz5FYZBjbkAwAuLxPWf++5"
    "F4sXkRBBFwMNGXiQ1q4XlaSN1Pt1r/7himCnX7w8B11vM1Nh1Hh51z8O8Okg36gXm/Czqy"
    "Ze3v0guOvPQkOzJpKTnRpkvbwbLikJsrWbchuaRCW8Ga5WgmoiLXsqZD9UfdfNAQUEwXOR"
    "CDlYmBiSB4hFvwTkZAVrw7P9gAGqQ9ILdloOgaRA6QVRVD237/gT5PNRXyQA09VN+1i7Sv"
    "LpQc8wE6a4jJA/7+F7msIRV+g3b41XqUVhrU1RiO5Fm0B++G5Gwt7+LlWsbXXlP6u5eSYu"
    "qugSLNra2zNtGuPfl/0asPEEEsO1CNQIpcXQ9UEF7yfy254GAX7n6mur+gwpXs6lQxVNr/"
    "CftrHUkaT+bSbDiXpE5KaaFEBOzgkmIiqnANObaHgCF/k3SIHpw1+frp48fv/oP2SPjN6B"
    "N/H0wvfxlM35FW7+kjTTJu/FE1Dm71/XvfvU5kR/a78aDfY70iSnSJ1tKAj5DDxjsqkgCd"
    "/EfKgB5e2KO+H/0hxB/rwvyB/oIf+72TzydfPp2dfCFNvF+5u/I5Rwuj8dwDeA/ohvwnzI"
    "1kOzJ20qBeEVQczYBsZJOyCXTVQPhD+KEurGsc4jlYzke3w9l8cHtHuzds+6vuITaYD+md"
    "vnd1m7j67iwx+HedgD9G818A/Qr+ORkPPThN23nA3hP37eb/7NDfRKZiU0IEfDKJRTAJL4"
    "eXvtNJa/UYeZXohaWsPG5krEqpO2bfzGqbvmX0jeQVGckPnpIomvR3BmvMiIAqI4W5/uzu"
    "5a49WtDKLrbuzNcQYBcholtgayoE5opM/La73LU6Bxsyz0OgOUCzgaXLClSBjFSwNjfBRd"
    "Uk4umFp+K+X7DyaGr6lb2/H12xX1e/deIldV1N/UBl6ll9Ov9YuUihmADvSfSfk//tHP5t"
    "9Rcf//WLvljefz1/zYlqVuKDnCF6WPxfZ2p8FuwIuBA/aQrkxTUmVSWk6fXm+DB1CTycgE"
    "ZEBJpxNBFZjDjRjIi8AM0AqlaBSRZxx2VY79RdGiLX8PCMWgTx134nXY33VADRzt1wfDUa"
    "/8y5ZIVi5yD4sEB308nvo9loMvYvR74t0PR+7F8OPizQ9WB0M7w6B/7fBZrNJ3d39ELwIW"
    "mVFPHQemcFHLRe0kTd+2f0VlydGMo2+f8y1cl+NfYSpVT4/DtxUPcgge/H/kkRhEmzbIy9"
    "m3GUVegQH5YH5b1E+1Dufzz5UgBl2iwTZf9mYtXEXBAHzduHb4U8TmQRJX9tS/bn9KIQx4"
    "TqmvFfEemzTwWAPvuUiTO9FYdZsdw0wNe6KWdwY0H7BLYrKnCE6OageTW5v7gZklV3eOmt"
    "unF2xrtJL5ELmuNhMB0ObhLgGtAwMYPqvdAeMsnHvczhqMc6x6/PPv5Pv//p0+f+x09nX0"
    "5PPn8+/fJxR0Omb+XxkRejnyklGRvfaY7SdsjdB8bUkYd8REhAXxp6j7syIGJww7/OJmM2"
    "9DGhJCmsKQ74D9A1uzYlRDinpavpjobsD/Sxr0E7UZBi/HA4e7+7HfyZnNgvbyYXSR+Kdn"
    "CR4kwUDB2GF5WtkoiIUEjlCvEZXknmjqDEBCsInzTMsDz26EnMtCKeq1NKyXHJFgbJqFOv"
    "TpC+DUbgkag9eFlyte5aakmtxyWF1puidcbL7v36hkRKfzU1NDcfIeowQqX7m928WOn/kW"
    "aSQ9sVjJYOgKK7Ns2foaLAEwU0e0Y1NKRRaWJMg7WMVJvcBOSXkzHwE7DX5gYBEymkS2pu"
    "Q5W0sddQTcdMa3mCiJw2gt3Pjpx6f1M45xM+LeV6eoVYtV4Oq9ZLs2reayTRN4IH5bhU6/"
    "LQzopw8GfZDPxZin+3MFxp33gg3ku0cShXHkaC3yyNzColrKy4pPCgmmNUpW1pOohcmyt3"
    "MypSisVrmDqrzt7khPNFULY6DRbDJ7IqlvHz4pJiBmryDCQ4nOwX6ji9+SIcTqi7JSN2l+"
    "3zxaVqTeNqyvv8jKfXEIbkBqoPEA/8jT0dBksSb9DNY0p0r6kU7BIqzJZsZF2HDnhnbhBU"
    "wXILZEATKIFjqvK2S745UDaATsYEfu9vObLIl5WJjXBDEoshqaDXBVogmp5uaA9kRFLugL"
    "wmNml5+cvw8jfgrGUHPEJo0Uv+436wgSIra/pAWadJd4A0oZ0vzSe4QIaGXBtoDmmFoao5"
    "QNcMzSGDmjyEuv1LmSKETCJD5g5guhgoBOYuIA4QtTYox0M6wiqWV44gbZryKndzSBuxnc"
    "33cvuFCJt+DmHTTxE2j+R/xgb3+eTXULbJjELnj8HNzXB+Dvy/CzQd/j4c3w/PQfCBXrm+"
    "H1/N6BXvwwLdDf66HY7n0uXNcDD1k2MTV7zk2dvJfDQZD26ky+nwajT3UmgT15KTaqF0wi"
    "J0UU7CZjpdk87f2NdPSVXHe2hwimHnfjacngP6bxnsq2eSfOT4FoqojEjXj5vOLsYQKVwL"
    "QlSmyXNV2fTYIsmx2amxyQEbWF1pgPNy2yJCLWLFDpza5hu0kmfQ8sGflGwNnXZ4DQg65k"
    "3QMRzUQSTsRp5LMGIQ3BeB5PVvU6h7fi5jGMTYgDu/ryMcCd/DsR9e7UQSVurlWELQMjmW"
    "CKrPcixRbT7PsUwQBDp88LfWk7bIlhV/Zz1NGjEo2QHeIfgEMfh/iM33lOeAKk0dodVfQj"
    "oEjL0WQSpWmnOp7SmC5GiEIZtNcvjK5Vv29zJiQ0HpNT8wXSV55UBcyurdiwrb921YXgcl"
    "AdtleEWVHqxXnOxIXKre4hBHEgiLpeDtrQZOYNOSAlxWlJGJdRroaxND7QH9BrcpbjXPMZ"
    "jH+zxOmFPOAbmM5c3OumSMNfKBoADDza6z+XR0Oe+w5ovKoI5EZFsKc3yuzID4NaPm0dGe"
    "6dUlXolnPbvI4OLw7gzzydsjSp0vg7hTWwLpxqShZ4MMLxC6i8B2DYNWWiNOF/XBCvl0Ff"
    "YtPLkGrAndHE9OU6FhmQ6NOEicoWuGaOvC2P1C+w76OfsO+ox9By+Ibb4oqnkYZ6Ezn9xJ"
    "93fnwP+7QBSIn4fnwP8bxrDDEPYCDa5+vZ/Nacj6HOw/NyMiKkJ4dYfwMFxBChfMifln5Q"
    "4nJduIdr8I3P1svPvZgLOW2CJwMxfbNoBd/eYnYsiZvBkVURmROfvKJfNKDdhOXUZgfLie"
    "FrJOTnOsk9O0dSLIzTdCboqo8nFFlcfkz/AJsrP29ze7eZyDV1oX0naFs/UxVExM47ZrKO"
    "vO2g/0ap7X6wV+aZesfPzCchVzBHkxMOaaygh8Ba9Mc53UA4a9cuoTvFZp54atC9VYNits"
    "GtLLCjwnumhy5nO6wPPgcj76fXgO/L8LRKWnw8HVX+dg93GBRuOwXfhpgW4HZKwOx4PxJb"
    "kc+dIMBoGsui/TaqyDJjtdb0ipx+GGHMxvPu0VYSlIq2xHpJfiKY7LEWmKL90kzyPEpKnn"
    "KlGjeSYbFvtkv8jd521q22vIEcDD8gY4UIcGdPAW+OI/gXfI2/5pw6/v6TFH/ngDtknsZQ"
    "wtXd76dbxsumd07cXeNprCML9reQLDUP87atGRPjv/SpjusQZk8JLbf3t/hU0vbPojnWK5"
    "zmf6yjeaAwGRIls6OZNV2TkPcWZZZwF4ccAVy5UsiBVmmfP80xOicuIUheKnKNCqXpzLZE"
    "JQjPfS413V7McSCoiJCfhLw0/mBbXHNdHsJMQUU2SKoXCdcgN8KgDmAbjHj3BPQJwLceNI"
    "hamp667VyaUWgjbdggSDhL32BXkG/xE2MHWVFsJay8irPEWJAQwdYnfRYJx/DHkXyE+Qnv"
    "ijAmKTgaWrPEJGma1KenyOR/CbpqgEwRgIxuBIpzQOxiAY/FwDei8j7MrSduVGUx1GIfhM"
    "0Hft24R5ZRWBI3x4QTwjEgJRQbO8rokeAU0yZMbhBcUAD2UF6ILbOopFUHBbgttq2xTTIF"
    "4g82iy/c3us0wAz9FktJr1EsqYOOC07B510GWd5t/SCky0tx9s/7Swn/wK1LRU9eyXwY/9"
    "0zOaHfAILQYJUFWnYnNwI3zPbNdeHJB1kD1iItEtG/p2bbkRZ+a8cDJrkpIzsxujWhbsaJ"
    "0ljShUDHOZt8DOHyZ+hHgcdHacwD5bXScyrGKldS4Hs8vB1fC1KuvcyVtaayZzY1vsfq5x"
    "bPktObe3Wdh80lSIic3qCXbp0THUYtXULthgzXEgApof5oqU6vEPgyGfoUqMXEAPdZGR30"
    "PKXq7jIQtkQyKzhCtakkez9+m77/yzbfZPpCa6rj1BvH1PxFWgrGX0sE/wzQ7JhX3QBt5D"
    "6fB5UVROmOhVm+hRHRU10KMyLdyMUn3FjN3g5wA5KtNCkPunpwVQJq2yCyPRe0ULI2V4mu"
    "0t+1LTgdeW5Fq8hTajQuKAlxigpusoJt8h7RGRFg7bWuqlYahAYr+Uc5VjooIhaYrzXEFR"
    "kjq9kilckf/HOpOvj93P9Uqw35KLtae790xLphvzAnHgiefw6WBqOv6RlcS815AN/IMtyR"
    "MMTd+yNwhW/wjB6Ddigcp2F3xdcVoAMSFRtiNpU4kYyQFiJPCbpREllDAB4pIttACOZMUv"
    "RJfTHJISOo6IiXBIk/Urgl5vQcsioJ29TrbLXUvM3Vjy8n54LKG4VINLlpUmSosUnyKtco"
    "jSVPkpzaJ6IarLKCqW4TTFpNoH9UkRSvokm5E+SRHS3uDkc5YiIiJ6nx+9p1CloeWO3t8H"
    "3RwnpM/G7SMDqklx+xnET5oCOwxyLLzVzePFbL9RMUYsG1TBODXgHe/mME7eX45FKmzfOk"
    "6kloierbsPPOiG7VuH7lmRU0nOso8lOUudSxL9WSmE5/Bb1laYuFgLzhzIc1GGf85j3kkI"
    "6LvbwZ/vYx7KzWT8c9g8ooDLm8lFMh2aAPNgYr4jdyIyDT4aqeTgPi12zEPOKQ/Jwf0Esc"
    "0c2NkQR0RaGLiuHuKXFX2uv+Jz2trwSy9zTiOdZIlnVjHnqyHdtTWYD6/Owf5zp8wqWnkp"
    "Z8NEzlrfShYObNbi2x5TomLrY+mtjw40LJ2AlNbAr7PJOCOKFpFJcoWa4oD/AF2zj1EFOW"
    "hSNPKX3OTqmrDZaQfJJZfcMl2ssOo1ZKMfE3oR/A1jlQ6NvqDLs+eiFtPl/jG5ZaKdMUmh"
    "9aZonREb2x0K1YCctpm7jGojTdtF73dzubtIS0HgtZzAa3IM5PjSxQLamxPQuJTANIGpu1"
    "RNg3TKxYRGhQQd+iwdenx0RnAIFS+f8fwhVneD2Vy6uidXwk8LNLuf0faU4Nh9XKBLemLV"
    "zQ29uvu4QMM/70ZTei340AwexD+13KGlyzRTpUeOYX5/JKOPFtqox2uTMvK14mqDiLE4cS"
    "k+6KF9RwC3SesQPfHQPUHzw/NsESN66Wq6oyH7A33sa9jR9fA/dMnU9XIMUEJWJMY2+ZXz"
    "tUVUlTvVXpimDmWUp/B0FwnFL0kfdb2QuyuH1fbFZHITU/TFKBlNvr+9GBKzx9Pwvg4goz"
    "qxa1sEN/LWLLnCzEm59uVQ1mBXCna7ZTynYLffotaPiN3OLCaVbtQtynNzlZWiu6v9Mku0"
    "LKoMoh39YAPKhhCpjeaswWa99aoybdbmT8lSUJSTXco2TBIEVfe/QKmiU4b8CG2vkf+cLj"
    "0iln5da/R82C1ABA8MVM2WyfghTb2HeWfBmJuCe8H/jgPsk5thiSlx0kvjTnphaKswgZ0W"
    "FbsjEobSCpuG9DKaNdFFg83TN0uzksXzZTqOddDkTMw3q2Ji39l8ubV7iSYrtHRqbbHc2r"
    "zk2lR2LbFVTN6wdFSm1kJmR7j48PtprfXPjtcf893whjhkc9O6Zx5+6d/Idbz8moMFna1b"
    "E0Hi4wDFJZ6JQZwSW9ZU6opsiVOi68CSt8Th6ZIr2HQf1pHiuD9551dofnldhXRNa1uZaK"
    "VhI10xq77HiBSoRkyG2Y6PuSGo+ICVNNriPTR5ke/cz4bTc0D/bYY15UPHN9CjMiJb6nhq"
    "GhwfmrJhuqyCJ3ms1F5G7BcqvV/IzzhR+HaJRmSaPAeXdLSK5Pxlp/ylMv5EafkDlJZ/w2"
    "mVl5Px9Wh661E64ccFuh6MPJbH/9tcimcF6VTCVdoiJtS6lOPq3w2NPs1VdrtM4jhnl2BI"
    "yrViIjp0FYZwJpfIqC2zAoRylcQgGjTMazn4gtIDGCqO5GKdb0aJyzU44FMW7o8nX4rgTZ"
    "rlHClAbybCMPuAN+95GClJwSUnTHOf28rIrstGNikncM3CtUQuXUJW5Ak3jbY/3pzJgy7G"
    "x5k81/DjTrwSmoxQTVhaMztSQ6lBsQW85fGP163h2Ch7tJYqjtCQNS67fyfQOhahf1rk6B"
    "DSKse9Sh0eYsm2vTHJJMl7TEtKsIUjuh6H1tRLx0pD2cNRmrtgZ6kw6QINrm5H49FsPh3M"
    "J+Ri7Gsz+ErNlqjL+sQqcJe32ywmV9sWs5RGwgvHu8EM2rRYppRZZzMzOMiQPFyUsFfXjO"
    "OHCPu9k88nXz6dnewig7sreQHBNLy6bDuSbj5oqISLlBIWvrDwhYUv/Oq+sNg+2GatV7B9"
    "MBZ+TRyqmrBpAvnr36ZQlzNqsWcc5Xpkw+F7+AIkjhH5Xidf9IeJHyEeky8dBmsUudvN44"
    "42XjsyGNQDHAPyd2I54N5nKGildtFKjSI9iqRukVY5LngqfWtNlMGLcFSmlVRHDTi/2lls"
    "zca6+sPYFMslAGJWkfJMbzom06Zs28pcaYqQjJW15kDFcTHXdMGSbeFQrj6zzTEdWZcMaD"
    "CPucnLHU9KtmlMH/rECQ9KWs2CGLlltBARFWoorYayk4+YeEpMPKZF0SC/QLK3tgMNHsBZ"
    "si0EvdcvknBIWmWHX/qpdMM3nOafrPlApafDwdVf52D3kX1q1O2AzBbDMS33cA4iX5oRUv"
    "OVIvEXe0gJti9r97RXZOYirbJLPvQytspIfj2qMtQwswMR/GkOIZyOA2jee6KyjORnwtY7"
    "MVEYlSNuTYCzlTVUXR8HbtQTwiJjoDDydP60TJWH3IiKHDBHoPexXv+jOmojLErPB2tS7H"
    "DQHguwsq6bihdLUSw3jey1bspZW9+TkglwV1T02ODNwe5qcn9xMwT0xNPRbBTUjt+tsN7N"
    "+MRAzOGbTLTLEEYs6daM6ENTFTssS7FGTHGhi3K6IEYmxE8lpqCkoJiBnp2BdpCVmYAYwm"
    "LMv3DMl5p+WNJCEy/UBKdtmZJrjQIqzO1dBolCcUyzTybaS4jDiWLeaBWHE5GJgvhC/EpJ"
    "ygnVVK4ax38yh1L2Es1QB31ea9Tx6JKxDp3sPR/ZIQGGaPuCAmdFdvadZW/sO0vt6yOPoy"
    "OaFptxUUjWF05eYQm3D/VawpmPECOolxrpKUkBeSHITVvSDKbNnxOxj8gImAvB7G0OW0MZ"
    "O0tYcmtZTFqEF5scXgz1pTtrSVlD5bGswmMdCJ03Wec0adWCWIGssr05vGFCriRteDyKrY"
    "I49Ck/ybUh58FdCcFSLEnDoH4dokrV7McS+MfEBPpl0SeTgtrjmmV2EmJ+KTC/ULROufE9"
    "Ffhy4NvjB7gnEC6KMHmaqmVUOM7m8eJSgsurifUuwW+kBNvnd1e/K8Hzomz4lc9GiUq1Jo"
    "x2YAOF7r0nGCoYOtzF0Viy7RvtNbDWR1XQ5rDQH2dtE1HR5i1qncE2la9oU0UlG1pxRZSx"
    "4ShjM4BYU9YdRgmb4E43r3yNvG/TmNrHmcYSs0YNw0wKprK8kfK6hVMqyTbKrklTwuR/qb"
    "HftFfxAOVh6UvFgXDQvIXo1lJOmmY2MKMbuYSCww5sHIBNeB32pjLegGO9r34x+/5fDHtl"
    "tg=="
)
